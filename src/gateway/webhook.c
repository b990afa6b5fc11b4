/* Storefront webhook: POSTs a shipment as JSON with libcurl, with a timeout; a failure is
 * reported (status, never the secret) and the notification stays pending for the next cycle. */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gateway/gateway.h"

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static void init_curl(void)
{
    static bool inited;
    if (!inited) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        inited = true;
    }
}

int dg_gw_webhook_check_url(const char *url, bool has_secret, dg_error *err)
{
    init_curl();
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = 0;
    if (!u || !url || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        rc = dg_error_set(err, DG_ECONFIG, "webhook: '%s' is not a URL", url ? url : "");
    else if (strcasecmp(scheme, "https") && strcasecmp(scheme, "http"))
        rc = dg_error_set(err, DG_ECONFIG, "webhook: '%s' is not an http(s) URL", url);
    else if (has_secret && !strcasecmp(scheme, "http") && strcasecmp(host, "localhost") &&
             strcmp(host, "127.0.0.1") && strcmp(host, "[::1]"))
        /* the bearer secret would cross the network in clear text */
        rc = dg_error_set(err, DG_ECONFIG,
                          "webhook: '%s': a secret is only sent over https (plain http only to "
                          "127.0.0.1 or localhost)",
                          url);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

int dg_gw_webhook_post(const char *url, const char *secret, long timeout_ms, const char *json,
                       size_t len, dg_error *err)
{
    return dg_gw_webhook_post_key(url, secret, NULL, timeout_ms, json, len, err);
}

int dg_gw_webhook_post_key(const char *url, const char *secret, const char *idempotency_key,
                           long timeout_ms, const char *json, size_t len, dg_error *err)
{
    init_curl();
    int urc = dg_gw_webhook_check_url(url, secret && *secret, err);
    if (urc)
        return urc;
    CURL *c = curl_easy_init();
    if (!c)
        return dg_error_set(err, DG_ENOMEM, "webhook: cannot start libcurl");
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char auth[600] = {0}, idem[300]; /* auth is wiped whole after the request */
    if (secret && *secret) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", secret);
        h = curl_slist_append(h, auth);
    }
    /* The same key on every retry of one notification: the receiver drops a repeat that
     * arrives after a lost answer (at-least-once delivery). */
    if (idempotency_key && *idempotency_key) {
        snprintf(idem, sizeof idem, "Idempotency-Key: %s", idempotency_key);
        h = curl_slist_append(h, idem);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    /* The secret does not outlive the request in our buffers: the header text and libcurl's
     * copy of it in the list are wiped before they are freed (libcurl's own request buffer is
     * beyond reach). */
    for (struct curl_slist *it = h; it; it = it->next)
        if (it->data && !strncasecmp(it->data, "Authorization:", 14))
            explicit_bzero(it->data, strlen(it->data));
    explicit_bzero(auth, sizeof auth);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (cc != CURLE_OK)
        return dg_error_set(err, cc == CURLE_OPERATION_TIMEDOUT ? DG_ETIMEOUT : DG_ENET,
                            "webhook: %s", curl_easy_strerror(cc));
    if (status < 200 || status > 299)
        return dg_error_set(err, DG_ENET, "webhook: server answered HTTP %ld", status);
    return 0;
}
