/* The cost of the signed request context: ibc_context_sign (the gateway, per
 * request) and ibc_context_verify (the service, per request) on a message with
 * the headers the gateway sets and a payload of the given size.
 *   bench/context/run [PAYLOAD_BYTES...]   (defaults 200 4096 65536 1048576) */
#include <ibc/signing.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static natsMsg *message(const char *payload, size_t len)
{
    natsMsg *m = NULL;
    char when[24];
    snprintf(when, sizeof when, "%lld", ibc_realtime_ms() + 600000);
    natsMsg_Create(&m, "ibc.rpc.circulation.checkouts.create", NULL, payload, (int)len);
    natsMsgHeader_Set(m, "Ibc-Request-Id", "6f1c2a8e-4b7d-4f0e-9a51-2c3d4e5f6a7b");
    natsMsgHeader_Set(m, "Ibc-Org", "school-12");
    natsMsgHeader_Set(m, "Ibc-Role", "librarian");
    natsMsgHeader_Set(m, "Ibc-Principal", "0d6b3a52-1f7e-4c8a-b9d0-3e2f1a4b5c6d");
    natsMsgHeader_Set(m, "Ibc-Deadline", when);
    natsMsgHeader_Set(m, "Idempotency-Key", "desk-3-checkout-118");
    return m;
}

static void run(const ibc_context_keys *k, size_t len)
{
    char *payload = malloc(len + 1);
    memset(payload, 'x', len);
    payload[len] = 0;
    int n = len > 100000 ? 500 : 100000;
    natsMsg *m = message(payload, len);
    double t0 = now_s();
    for (int i = 0; i < n; i++)
        ibc_context_sign(k, m);
    double t1 = now_s();
    long long deadline;
    int valid = 0;
    for (int i = 0; i < n; i++)
        valid += ibc_context_verify(k, m, ibc_realtime_ms(), &deadline) == IBC_CONTEXT_VALID;
    double t2 = now_s();
    printf("payload %8zu B: sign %8.2f us, verify %8.2f us (%d/%d valid)\n", len,
           (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6, valid, n);
    natsMsg_Destroy(m);
    free(payload);
}

int main(int argc, char **argv)
{
    nats_Open(-1);
    ibc_context_keys k;
    char err[256];
    if (ibc_context_keys_init(&k, "bench-key-0123456789-0123456789-0123456789", NULL, err,
                              sizeof err) != IBC_OK)
        return fprintf(stderr, "%s\n", err), 1;
    size_t sizes[] = {200, 4096, 65536, 1048576};
    if (argc > 1)
        for (int i = 1; i < argc; i++)
            run(&k, strtoul(argv[i], NULL, 10));
    else
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            run(&k, sizes[i]);
    return 0;
}
