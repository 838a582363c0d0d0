/* grants: programmes of funders, schools' transformation projects with their
 * checked workflow, and the consultations of the project lab. */
#include "grants.h"

static const ibc_action actions[] = {
    {"programmes.create", programmes_create},
    {"programmes.get", programmes_get, IBC_ACTION_READONLY},
    {"programmes.list", programmes_list, IBC_ACTION_READONLY},
    {"programmes.update", programmes_update},
    {"projects.create", projects_create},
    {"projects.get", projects_get, IBC_ACTION_READONLY},
    {"projects.list", projects_list, IBC_ACTION_READONLY},
    {"projects.update", projects_update},
    {"projects.transition", projects_transition},
    {"projects.transitions", projects_transitions, IBC_ACTION_READONLY},
    {"projects.summary", projects_summary, IBC_ACTION_STANDBY},
    {"consultations.create", consultations_create},
    {"consultations.get", consultations_get, IBC_ACTION_READONLY},
    {"consultations.list", consultations_list, IBC_ACTION_READONLY},
};

int main(void)
{
    return ibc_service_main("grants", actions, IBC_LEN(actions));
}
