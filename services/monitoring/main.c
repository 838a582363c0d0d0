/* monitoring: the network's school directory and library passports, surveys,
 * roadmap, reading promotion and partnerships, and the indicators fed by the
 * events of catalog, circulation, training and grants. */
#include "monitoring.h"

static const ibc_action actions[] = {
    {"schools.list", schools_list, IBC_ACTION_READONLY},
    {"schools.create", schools_create},
    {"schools.get", schools_get, IBC_ACTION_READONLY},
    {"schools.update", schools_update},
    {"passports.get", passports_get, IBC_ACTION_READONLY},
    {"passports.update", passports_update},
    {"passports.history", passports_history, IBC_ACTION_READONLY},
    {"campaigns.create", campaigns_create},
    {"campaigns.list", campaigns_list, IBC_ACTION_READONLY},
    {"campaigns.get", campaigns_get, IBC_ACTION_READONLY},
    {"campaigns.close", campaigns_close},
    {"campaigns.completion", campaigns_completion, IBC_ACTION_READONLY},
    {"answers.put", answers_put},
    {"answers.get", answers_get, IBC_ACTION_READONLY},
    {"answers.list", answers_list, IBC_ACTION_READONLY},
    {"roadmap.create", roadmap_create},
    {"roadmap.list", roadmap_list, IBC_ACTION_READONLY},
    {"roadmap.get", roadmap_get, IBC_ACTION_READONLY},
    {"roadmap.update", roadmap_update},
    {"roadmap.delete", roadmap_delete},
    {"roadmap.evidence", roadmap_add_evidence},
    {"roadmap.progress", roadmap_progress, IBC_ACTION_READONLY},
    {"promotions.create", promotions_create},
    {"promotions.list", promotions_list, IBC_ACTION_READONLY},
    {"promotions.delete", promotions_delete},
    {"partnerships.create", partnerships_create},
    {"partnerships.list", partnerships_list, IBC_ACTION_READONLY},
    {"partnerships.delete", partnerships_delete},
    {"indicators.get", indicators_get, IBC_ACTION_STANDBY},
    {"indicators.rebuild", indicators_rebuild},
    {"targets.list", targets_list, IBC_ACTION_READONLY},
    {"targets.update", targets_update},
    {"reports.provision", reports_provision, IBC_ACTION_STANDBY},
    {"statistics.get", statistics_get, IBC_ACTION_STANDBY},
    {"visits.put", visits_put},
    {"visits.delete", visits_delete},
};

static const ibc_event_sub events[] = {
    {"ibc.evt.catalog.>", NULL, on_catalog_events},
    {"ibc.evt.circulation.>", NULL, on_circulation_events},
    {"ibc.evt.training.>", on_training_event, NULL},
    {"ibc.evt.grants.>", on_grants_event, NULL},
};

int main(void)
{
    static const ibc_service_def def = {
        .name = "monitoring",
        .actions = actions,
        .nactions = IBC_LEN(actions),
        .events = events,
        .nevents = IBC_LEN(events),
    };
    return ibc_service_run(&def);
}
