#!/bin/sh
# relaywatch's WHM entry: the CGI cpsrvd runs (as root) for /cgi/relaywatch/index.cgi. It finds
# Node.js each time it runs, so that switching cPanel's Node.js package (ea-nodejs22 and ea-nodejs20
# replace each other) or an EasyApache profile change does not break the plugin: cPanel's
# ea-nodejs22, then ea-nodejs20, then `node` on PATH. It then runs the bridge (bridge.js), which
# passes the request to the relaywatch daemon. With no Node.js at all it answers with a page that
# says what to install.
#
# RELAYWATCH_HOST_ROOT (tests and staged installs; cpsrvd never passes it) looks for cPanel's Node.js
# packages, and the installed bridge, under another root.

# install.sh writes the installed bridge's path here.
bridge=${0%/*}/bridge.js
r=${RELAYWATCH_HOST_ROOT:-}
r=${r%/}
if [ -n "$r" ] && [ -f "$r$bridge" ]; then bridge=$r$bridge; fi
# Node.js 22.1 and later keep the bridge's compiled code in the daemon's state folder (root only,
# 0700) and skip compiling it on the next run; older ones ignore the variable.
if [ -d "$r/var/lib/relaywatch" ]; then
  NODE_COMPILE_CACHE=$r/var/lib/relaywatch/compile-cache
  export NODE_COMPILE_CACHE
fi
for node in "$r/opt/cpanel/ea-nodejs22/bin/node" "$r/opt/cpanel/ea-nodejs20/bin/node"; do
  [ -x "$node" ] && exec "$node" "$bridge"
done
node=$(command -v node 2>/dev/null) && [ -x "$node" ] && exec "$node" "$bridge"

# No Node.js: say so, in the answer's expected form.
printf 'Status: 503 Service Unavailable\r\nCache-Control: no-store\r\n'
case "&${QUERY_STRING:-}&${PATH_INFO:-}" in
  *'&route=%2Fapi%2F'* | *'&route=/api/'* | *'&/api/'*)
    printf 'Content-Type: application/json; charset=utf-8\r\n\r\n'
    printf '{"error":{"code":"node_missing","message":"relaywatch needs Node.js 20 or later, and none was found in /opt/cpanel/ea-nodejs22, /opt/cpanel/ea-nodejs20 or on PATH. Install it with: dnf install ea-nodejs22 (apt install ea-nodejs22 on Ubuntu)."}}\n'
    exit 0
    ;;
esac
printf "Content-Type: text/html; charset=utf-8\r\nContent-Security-Policy: default-src 'none'; style-src 'sha256-2d7pT7gCeSLAYJnuL00ujWf9+NF4cOYgrvqJyC5GjOQ='; base-uri 'none'; form-action 'none'; frame-ancestors 'self'\r\nX-Content-Type-Options: nosniff\r\n\r\n"
cat <<'PAGE'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>relaywatch needs Node.js</title>
<style>.rw-down{font-family:"Open Sans","Segoe UI",Roboto,Arial,sans-serif;max-width:760px;margin:24px;padding:16px 20px;border:1px solid #ef9a9a;background:#fdecea;border-radius:6px;color:#263238}.rw-down h1{font-size:20px;margin:0 0 8px;color:#b71c1c}.rw-down pre{background:#263238;color:#eceff1;padding:10px 12px;border-radius:4px}</style>
</head>
<body>
<div class="rw-down">
<h1>relaywatch needs Node.js</h1>
<p><strong>No Node.js was found on this server</strong> (looked in /opt/cpanel/ea-nodejs22, /opt/cpanel/ea-nodejs20 and on PATH).
relaywatch's page and its daemon run on Node.js 20 or later.</p>
PAGE
if [ "${REMOTE_USER:-}" = root ]; then
  cat <<'PAGE'
<p>Install cPanel's Node.js package as root, then start relaywatch again:</p>
<pre>dnf install ea-nodejs22        # AlmaLinux, Rocky Linux, CloudLinux (yum on older systems)
apt install ea-nodejs22        # Ubuntu
systemctl restart relaywatch</pre>
<p>Then reload this page.</p>
PAGE
else
  printf "<p>Please ask the server's administrator to install Node.js (cPanel's ea-nodejs22 package) for relaywatch.</p>\n"
fi
printf '</div>\n</body>\n</html>\n'
