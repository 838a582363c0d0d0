/* Unit tests of shared/src/process.c: the main thread's wait for its stop
 * signal returns that signal, whether or not it gives heap back meanwhile
 * (what the trim saves is measured by bench/rss/run: under the sanitizers
 * malloc is not glibc's, so a test of it here would say nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <ibc/process.h>

typedef struct {
    pthread_t target;
    int after_ms;
} shot;

static void *send_later(void *arg)
{
    shot *s = arg;
    usleep((useconds_t)s->after_ms * 1000);
    pthread_kill(s->target, SIGUSR1);
    return NULL;
}

/* Waits with trim_s while another thread sends SIGUSR1 after after_ms;
 * returns what the wait returned and the seconds it took in *took. */
static int wait_for_shot(int trim_s, int after_ms, double *took)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    ibc_config cfg = {.malloc_trim_s = trim_s, .malloc_arenas = 2};
    ibc_process_memory(&cfg);
    shot s = {pthread_self(), after_ms};
    pthread_t t;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_create(&t, NULL, send_later, &s);
    int sig = ibc_process_wait(&stop, &cfg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(t, NULL);
    *took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return sig;
}

static void the_wait_returns_the_stop_signal_across_trims(void **state)
{
    (void)state;
    double took;
    /* two trims (at 1 s and 2 s) before the signal: a timeout is not a stop */
    assert_int_equal(wait_for_shot(1, 2500, &took), SIGUSR1);
    assert_true(took >= 2.4);
    assert_int_equal(wait_for_shot(0, 200, &took), SIGUSR1); /* 0: never trims */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_wait_returns_the_stop_signal_across_trims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
