/* ibc-z3950: the Z39.50 and SRU (1.1, 1.2, 2.0) server of the union catalog,
 * on libyaz's generic frontend server, one thread per session. It reads no
 * table: every search and record comes from the catalog over NATS
 * (records.find). Listens on IBC_Z3950_PORT (Z39.50 and SRU on HTTP alike)
 * at IBC_BIND_ADDRESS. */
#include "backend.h"
#include "catalog_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char explain[4096];

const char *z3950_explain_record(void)
{
    return explain;
}

/* The ZeeRex record of SRU explain: where, which indexes, which schemas. */
static void explain_init(const char *host, long port)
{
    static const char *const idx[][2] = {
        {"dc", "title"},  {"dc", "creator"},   {"dc", "subject"}, {"dc", "date"},
        {"bath", "isbn"}, {"cql", "anywhere"}, {"ibc", "bbk"},    {"ibc", "udk"},
    };
    int n =
        snprintf(explain, sizeof explain,
                 "<explain xmlns=\"http://explain.z3950.org/dtd/2.0/\">\n"
                 " <serverInfo protocol=\"SRU\" version=\"2.0\">\n"
                 "  <host>%s</host><port>%ld</port><database>ibc</database>\n"
                 " </serverInfo>\n"
                 " <databaseInfo><title lang=\"en\" primary=\"true\">ibcnet union catalog</title>"
                 "<title lang=\"ru\">Сводный электронный каталог ИБЦ</title></databaseInfo>\n"
                 " <indexInfo>\n"
                 "  <set name=\"dc\" identifier=\"info:srw/cql-context-set/1/dc-v1.1\"/>\n"
                 "  <set name=\"bath\" identifier=\"http://zing.z3950.org/cql/bath/2.0/\"/>\n"
                 "  <set name=\"cql\" identifier=\"info:srw/cql-context-set/1/cql-v1.2\"/>\n"
                 "  <set name=\"ibc\" identifier=\"info:ibcnet/cql-context-set/1\"/>\n",
                 host, port);
    for (size_t i = 0; i < sizeof idx / sizeof idx[0] && n > 0 && (size_t)n < sizeof explain; i++)
        n += snprintf(explain + n, sizeof explain - (size_t)n,
                      "  <index><title>%s</title><map><name set=\"%s\">%s</name></map></index>\n",
                      idx[i][1], idx[i][0], idx[i][1]);
    if (n > 0 && (size_t)n < sizeof explain)
        snprintf(explain + n, sizeof explain - (size_t)n,
                 " </indexInfo>\n"
                 " <schemaInfo>\n"
                 "  <schema identifier=\"info:srw/schema/1/marcxml-v1.1\" name=\"marcxml\">"
                 "<title>MARCXML (MARC 21)</title></schema>\n"
                 "  <schema identifier=\"info:ibcnet/schema/rusmarc-xml\" name=\"rusmarc\">"
                 "<title>MARCXML (RUSMARC)</title></schema>\n"
                 "  <schema identifier=\"info:srw/schema/1/dc-v1.1\" name=\"dc\">"
                 "<title>Dublin Core</title></schema>\n"
                 " </schemaInfo>\n"
                 " <configInfo><default type=\"numberOfRecords\">10</default>"
                 "<setting type=\"maximumRecords\">100</setting></configInfo>\n"
                 "</explain>\n");
}

int main(void)
{
    ibc_config cfg;
    char err[256];
    ibc_log_init("z3950", getenv("IBC_LOG_LEVEL") ? getenv("IBC_LOG_LEVEL") : "info");
    if (ibc_config_load(&cfg, "z3950", NULL, err, sizeof err) != IBC_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "%s", err);
        return 2;
    }
    long port = 19300;
    const char *p = getenv("IBC_Z3950_PORT");
    if (p && !ibc_config_int(p, 1, 65535, &port)) {
        ibc_log(IBC_LOG_ERROR, NULL, "IBC_Z3950_PORT must be a port number (1-65535)");
        return 2;
    }
    long exact = 2000;
    const char *e = getenv("IBC_Z3950_EXACT_HITS");
    if (e && !ibc_config_int(e, 1, 100000000, &exact)) {
        ibc_log(IBC_LOG_ERROR, NULL, "IBC_Z3950_EXACT_HITS must be 1 to 100000000");
        return 2;
    }
    z3950_set_exact_hits(exact);
    if (!catalog_client_open(&cfg)) return 2;
    explain_init(cfg.bind_address, port);
    char listen[128];
    snprintf(listen, sizeof listen, "tcp:%s:%ld", cfg.bind_address, port);
    /* -T: a thread per session; -t 10: an idle session closes after 10 min;
     * -k 1024: records and messages up to 1 MB */
    char *argv[] = {"ibc-z3950", "-T", "-t", "10", "-k", "1024", listen, NULL};
    ibc_log(IBC_LOG_INFO, NULL, "Z39.50 and SRU on %s", listen);
    int rc = statserv_main(7, argv, z3950_init, z3950_close);
    catalog_client_close();
    return rc;
}
