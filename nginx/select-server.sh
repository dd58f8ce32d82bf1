#!/bin/sh
# Pick the nginx server configuration at container start (run by the nginx image's entrypoint from
# /docker-entrypoint.d/, and by the end-to-end test with NGINX_CONF_DIR pointing at its own copy):
#   ssl/fullchain.pem and ssl/privkey.pem present -> HTTPS on 443, port 80 redirects to it
#   otherwise                                     -> plain HTTP on 80 for an outer TLS proxy
set -eu

conf_dir="${NGINX_CONF_DIR:-/etc/nginx}"
active_dir="$conf_dir/lunch/active"
mkdir -p "$active_dir"
rm -f "$active_dir"/*.conf

if [ -s "$conf_dir/ssl/fullchain.pem" ] && [ -s "$conf_dir/ssl/privkey.pem" ]; then
    cp "$conf_dir/lunch/server-https.conf" "$active_dir/server.conf"
    echo "lunch-bot nginx: certificate found in $conf_dir/ssl, serving HTTPS on 443 and redirecting 80"
else
    cp "$conf_dir/lunch/server-http.conf" "$active_dir/server.conf"
    echo "lunch-bot nginx: no certificate in $conf_dir/ssl, serving plain HTTP on 80 (TLS by an outer proxy)"
fi
