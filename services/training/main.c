/* training: professional development of the network's library staff. */
#include "training.h"

static const ibc_action actions[] = {
    {"staff.create", staff_create},
    {"staff.get", staff_get, IBC_ACTION_READONLY},
    {"staff.update", staff_update},
    {"staff.delete", staff_delete},
    {"staff.list", staff_list, IBC_ACTION_READONLY},
    {"staff.record", staff_record, IBC_ACTION_READONLY},
    {"due", due_list, IBC_ACTION_READONLY},
    {"courses.create", courses_create},
    {"courses.get", courses_get, IBC_ACTION_READONLY},
    {"courses.update", courses_update},
    {"courses.list", courses_list, IBC_ACTION_READONLY},
    {"enrolments.create", enrolments_create},
    {"enrolments.get", enrolments_get, IBC_ACTION_READONLY},
    {"enrolments.list", enrolments_list, IBC_ACTION_READONLY},
    {"enrolments.attendance", enrolments_attendance},
    {"enrolments.complete", enrolments_complete},
    {"enrolments.cancel", enrolments_cancel},
};

int main(void)
{
    return ibc_service_main("training", actions, IBC_LEN(actions));
}
