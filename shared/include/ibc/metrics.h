/* Prometheus metrics: counters, gauges and histograms updated with atomics and
 * rendered in the text exposition format. Series are created once and live
 * for the process. */
#ifndef IBC_METRICS_H
#define IBC_METRICS_H

#include <stdint.h>

typedef struct ibc_metric ibc_metric;

/* Returns the series name{labels}, creating it on first use; never freed.
 * `labels` is the inside of the braces (`action="x",status="200"`) or "". */
ibc_metric *ibc_counter(const char *name, const char *help, const char *labels);
ibc_metric *ibc_gauge(const char *name, const char *help, const char *labels);
ibc_metric *ibc_histogram(const char *name, const char *help, const char *labels);

void ibc_metric_add(ibc_metric *m, int64_t delta); /* counter or gauge */
void ibc_metric_set(ibc_metric *m, int64_t value); /* gauge */
void ibc_metric_observe(ibc_metric *m, double seconds); /* histogram */

/* Renders every series; caller frees. NULL on allocation failure. */
char *ibc_metrics_render(void);
/* Forgets every series (tests only). */
void ibc_metrics_reset(void);

#endif
