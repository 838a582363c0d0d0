/* catalog: the network's union catalog. */
#include "catalog.h"

static const ibc_action actions[] = {
    {"records.create", records_create},
    {"records.get", records_get, IBC_ACTION_READONLY},
    {"records.update", records_update},
    {"records.delete", records_delete},
};

int main(void)
{
    return ibc_service_main("catalog", actions, IBC_LEN(actions));
}
