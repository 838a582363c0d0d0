/* circulation: its actions arrive with its own issue; until then it runs the
 * runtime's built-in ping, its schema and its outbox. */
#include <ibc/ibc.h>

int main(void)
{
    return ibc_service_main("circulation", NULL, 0);
}
