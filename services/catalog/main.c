/* catalog: the network's union catalog. */
#include "catalog.h"
#include "extremist/extremist.h"
#include "fund/fund.h"
#include "marc/marc.h"
#include "oai/oai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ibc_action actions[] = {
    {"records.create", records_create},
    {"records.get", records_get, IBC_ACTION_READONLY},
    {"records.update", records_update},
    {"records.delete", records_delete},
    {"records.search", records_search, IBC_ACTION_STANDBY},
    {"records.find", records_find, IBC_ACTION_STANDBY}, /* services/z3950 */
    {"records.suggest", records_suggest, IBC_ACTION_STANDBY},
    {"records.similar", records_similar, IBC_ACTION_STANDBY},
    {"records.merge", records_merge},
    {"records.availability", records_availability, IBC_ACTION_READONLY},
    {"items.create", items_create},
    {"items.get", items_get, IBC_ACTION_READONLY},
    {"items.update", items_update},
    {"items.write_off", items_write_off},
    {"items.list", items_list, IBC_ACTION_READONLY},
    {"items.lookup", items_lookup, IBC_ACTION_READONLY},
    /* MARC exchange (marc/) */
    {"imports.create", imports_create},
    {"imports.get", imports_get, IBC_ACTION_READONLY},
    {"imports.list", imports_list, IBC_ACTION_READONLY},
    {"imports.records", imports_records, IBC_ACTION_READONLY},
    {"imports.cancel", imports_cancel},
    {"records.export", records_export, IBC_ACTION_STANDBY},
    /* copy cataloguing (copy.c) */
    {"copy_searches.create", copy_searches_create},
    {"copy_searches.import", copy_searches_import},
    /* OAI-PMH (oai/) */
    {"oai.request", oai_respond, IBC_ACTION_STANDBY},
    /* fund accounting and stocktaking (fund/) */
    {"receipts.create", receipts_create},
    {"receipts.get", receipts_get, IBC_ACTION_READONLY},
    {"write_offs.create", write_offs_create},
    {"write_offs.get", write_offs_get, IBC_ACTION_READONLY},
    {"fund_register.get", fund_register_get, IBC_ACTION_READONLY},
    {"inventory_book.get", inventory_book_get, IBC_ACTION_READONLY},
    {"reports.no_age_mark", age_marks_missing_get, IBC_ACTION_STANDBY},
    {"stocktakes.create", stocktakes_create},
    {"stocktakes.get", stocktakes_get, IBC_ACTION_READONLY},
    {"stocktakes.scan", stocktakes_scan},
    {"stocktakes.close", stocktakes_close},
    /* the federal list of extremist materials (extremist/) */
    {"extremist_lists.create", extremist_lists_create},
    {"extremist_lists.list", extremist_lists_list, IBC_ACTION_READONLY},
    {"extremist_lists.get", extremist_lists_get, IBC_ACTION_READONLY},
    {"extremist_lists.changes", extremist_lists_changes, IBC_ACTION_READONLY},
    {"extremist_matches.list", extremist_matches_list, IBC_ACTION_READONLY},
    {"extremist_matches.confirm", extremist_matches_confirm},
    {"extremist_matches.reject", extremist_matches_reject},
    {"reports.extremist", extremist_report_get, IBC_ACTION_READONLY},
};

/* circulation's loans set and clear items.on_loan (one consumer: in order) */
static const ibc_event_sub events[] = {
    {"ibc.evt.circulation.loan.>", NULL, on_loan_events},
};

/* jobs that run as long as the process, each in a thread the runtime starts */
static const ibc_resident_job resident[] = {
    {"extremist_lists.match", extremist_job_run}, /* extremist/ */
    {"imports.run", marc_import_start},           /* marc/ */
};

int main(void)
{
    char err[200];
    if (!oai_config_check(err, sizeof err)) {
        fprintf(stderr, "ibc-catalog: %s\n", err);
        return 2;
    }
    static const ibc_service_def def = {
        .name = "catalog",
        .actions = actions,
        .nactions = IBC_LEN(actions),
        .events = events,
        .nevents = IBC_LEN(events),
        .resident = resident,
        .nresident = IBC_LEN(resident),
    };
    return ibc_service_run(&def);
}
