/* circulation: readers, loan rules, loans, holds, class sets of textbooks and
 * loans between schools; a projection of the catalog's items fed by its
 * events; periodic jobs (jobs.c) that expire holds, mark overdue loans,
 * anonymise readers who left and settle write-off withdrawals. */
#include "audit.h"
#include "circulation.h"

#include <ibc/ibc.h>

static const ibc_action actions[] = {
    {"readers.create", readers_create, IBC_ACTION_TX},
    {"readers.list", readers_list, IBC_ACTION_READONLY},
    {"readers.get", readers_get, IBC_ACTION_READONLY},
    {"readers.update", readers_update, IBC_ACTION_TX},
    {"readers.delete", readers_delete, IBC_ACTION_TX},
    {"readers.consents.add", readers_consent_add, IBC_ACTION_TX},
    {"readers.personal_data", readers_personal_data, IBC_ACTION_READONLY},
    {"audit.list", audit_list, IBC_ACTION_READONLY},
    {"policies.list", policies_list, IBC_ACTION_READONLY},
    {"policies.put", policies_put, IBC_ACTION_TX},
    {"settings.get", settings_get, IBC_ACTION_READONLY},
    {"settings.put", settings_put, IBC_ACTION_TX},
    {"checkouts.create", checkouts_create, IBC_ACTION_TX},
    {"checkins.create", checkins_create, IBC_ACTION_TX},
    {"loans.list", loans_list, IBC_ACTION_READONLY},
    {"loans.get", loans_get, IBC_ACTION_READONLY},
    {"loans.renew", loans_renew, IBC_ACTION_TX},
    {"overdue.list", overdue_list, IBC_ACTION_READONLY},
    {"holds.create", holds_create, IBC_ACTION_TX},
    {"holds.list", holds_list, IBC_ACTION_READONLY},
    {"holds.get", holds_get, IBC_ACTION_READONLY},
    {"holds.cancel", holds_cancel, IBC_ACTION_TX},
    {"holds.expire", holds_expire, IBC_ACTION_TX},
    {"classsets.issue", classsets_issue, IBC_ACTION_TX},
    {"classsets.return", classsets_return, IBC_ACTION_TX},
    {"classsets.list", classsets_list, IBC_ACTION_READONLY},
    {"transfers.create", transfers_create, IBC_ACTION_TX},
    {"transfers.list", transfers_list, IBC_ACTION_READONLY},
    {"transfers.get", transfers_get, IBC_ACTION_READONLY},
    {"transfers.transition", transfers_transition, IBC_ACTION_TX},
    /* the catalog's write-off acts (withdraw.c): asked by the catalog only */
    {"items.withdraw", items_withdraw, IBC_ACTION_TX},
    {"items.restore", items_restore, IBC_ACTION_TX},
};

static const ibc_event_sub events[] = {
    {"ibc.evt.catalog.item.*", on_catalog_item, NULL},
    {"ibc.evt.catalog.record.*", on_catalog_record, NULL},
};

int main(void)
{
    if (!circulation_jobs_configure()) return 1;
    static const ibc_service_def def = {
        .name = "circulation",
        .actions = actions,
        .nactions = IBC_LEN(actions),
        .events = events,
        .nevents = IBC_LEN(events),
        .jobs = circulation_jobs,
        .njobs = CIRCULATION_NJOBS,
    };
    return ibc_service_run(&def);
}
