/* The gateway's public HTTP listener: /api only, admission before the body. */
#ifndef GW_LISTENER_H
#define GW_LISTENER_H

/* Listens on gw.cfg.bind_address:http_port with gw.limits; 0, or -1 when
 * the address cannot be bound. */
int gw_listener_start(void);
void gw_listener_stop(void);

#endif
