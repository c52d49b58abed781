#!/usr/bin/perl
# relaywatch's WHM entry: the CGI cpsrvd runs (as root) for /cgi/relaywatch/index.cgi. It holds no
# logic of its own: it passes the request and the WHM user over the root-only Unix socket to the
# relaywatch daemon and copies the daemon's answer back as CGI output. When the daemon does not
# answer, it shows a page that says so and how to start it (or, when no Node.js is installed for the
# daemon, what to install).
#
# Written in Perl, cPanel's own language, because every page view costs one run of it: Perl starts in
# a tenth of Node.js's time, and the bridge loads no module at all on the way of an answer (socket
# constants are Linux's own numbers; JSON::PP and MIME::Base64 only for the "not running" page).
# install.sh writes cPanel's Perl (/usr/local/cpanel/3rdparty/bin/perl) into the first line, or the
# system's when that is missing. It does not depend on Node.js, so switching cPanel's Node.js package
# cannot break it.
#
# Settings, for tests and unusual set-ups (cpsrvd passes only CGI variables of its own making, so a
# browser cannot set these):
#   RELAYWATCH_SOCKET          daemon socket (default /run/relaywatch/http.sock)
#   RELAYWATCH_HOST_ROOT       host root for WHM's chrome cache and cPanel's Node.js packages (default /)
#   RELAYWATCH_CGI_TIMEOUT_MS  how long to wait for the daemon's answer (default 120000)
#   RELAYWATCH_CGI_BODY_TIMEOUT_MS  how long to wait for a POST's body (default 30000; whole seconds)
use strict;

my $SOCKET = $ENV{RELAYWATCH_SOCKET} || '/run/relaywatch/http.sock';
my $HOST_ROOT = $ENV{RELAYWATCH_HOST_ROOT} || '/';
$HOST_ROOT =~ s{/+\z}{};
my $TIMEOUT_MS = ($ENV{RELAYWATCH_CGI_TIMEOUT_MS} || '') =~ /\A[0-9]+\z/ && $ENV{RELAYWATCH_CGI_TIMEOUT_MS} > 0 ? $ENV{RELAYWATCH_CGI_TIMEOUT_MS} : 120000;
# A client that announces a body and never sends it must not keep a root process waiting.
my $BODY_TIMEOUT_MS = ($ENV{RELAYWATCH_CGI_BODY_TIMEOUT_MS} || '') =~ /\A[0-9]+\z/ && $ENV{RELAYWATCH_CGI_BODY_TIMEOUT_MS} > 0 ? $ENV{RELAYWATCH_CGI_BODY_TIMEOUT_MS} : 30000;
# The daemon refuses bodies over 64 KiB anyway; this only stops the CGI from buffering a huge one.
my $MAX_BODY = 1024 * 1024;
# Largest answer relayed (a CSV export of a big server stays far below it).
my $MAX_ANSWER = 64 * 1024 * 1024;
my $CGI_PATH = '/cgi/relaywatch/index.cgi';
# Linux's numbers (every system cPanel runs on), so the Socket module need not be loaded.
my ($AF_UNIX, $SOCK_STREAM) = (1, 1);
my $PLACEHOLDER_NONCE = 'nonce="00000000000"';

# Response headers copied from the daemon to the browser (anything else stays between the two).
my @RELAYED = (
  ['content-type', 'Content-Type'], ['content-security-policy', 'Content-Security-Policy'], ['cache-control', 'Cache-Control'],
  ['content-disposition', 'Content-Disposition'], ['x-content-type-options', 'X-Content-Type-Options'],
  ['referrer-policy', 'Referrer-Policy'], ['x-frame-options', 'X-Frame-Options'], ['location', 'Location'],
  ['etag', 'ETag'], ['last-modified', 'Last-Modified'],
);
# Request headers passed on to the daemon (CGI variable -> header).
my @FORWARDED = (['HTTP_ACCEPT', 'accept'], ['HTTP_X_CSRF_TOKEN', 'x-csrf-token'], ['HTTP_X_REQUESTED_WITH', 'x-requested-with'], ['HTTP_IF_NONE_MATCH', 'if-none-match']);
my %REASONS = (
  200 => 'OK', 201 => 'Created', 202 => 'Accepted', 204 => 'No Content', 301 => 'Moved Permanently', 302 => 'Found',
  303 => 'See Other', 304 => 'Not Modified', 307 => 'Temporary Redirect', 308 => 'Permanent Redirect', 400 => 'Bad Request',
  403 => 'Forbidden', 404 => 'Not Found', 405 => 'Method Not Allowed', 408 => 'Request Timeout', 409 => 'Conflict', 413 => 'Payload Too Large',
  422 => 'Unprocessable Entity', 429 => 'Too Many Requests', 500 => 'Internal Server Error', 502 => 'Bad Gateway',
  503 => 'Service Unavailable', 504 => 'Gateway Timeout',
);

sub cgi_head {
  my ($status, @headers) = @_;
  my $head = "Status: $status " . ($REASONS{$status} || '') . "\r\n";
  for my $h (@headers) {
    (my $v = $h->[1]) =~ s/[\r\n]+/ /g;
    $head .= "$h->[0]: $v\r\n";
  }
  return "$head\r\n";
}

sub write_and_exit {
  my ($data, $code) = @_;
  binmode STDOUT;
  my $off = 0;
  while ($off < length $data) {
    my $n = syswrite(STDOUT, $data, length($data) - $off, $off);
    last unless defined $n && $n > 0;
    $off += $n;
  }
  exit $code;
}

sub plain {
  my ($status, $message, $code) = @_;
  write_and_exit(cgi_head($status, ['Content-Type', 'text/plain; charset=utf-8'], ['Cache-Control', 'no-store']) . "$message\n", $code || 0);
}

my %ENTITY = ('&' => '&amp;', '<' => '&lt;', '>' => '&gt;', '"' => '&quot;', "'" => '&#39;');
sub escape_html {
  my ($s) = @_;
  $s =~ s/([&<>"'])/$ENTITY{$1}/g;
  return $s;
}

# A query-string component as URLSearchParams reads it: '+' is a space, %XX a byte.
sub form_decode {
  my ($s) = @_;
  $s =~ tr/+/ /;
  $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
  return $s;
}

# Bytes as encodeURIComponent writes their UTF-8 text.
sub uri_component {
  my ($s) = @_;
  $s =~ s/([^A-Za-z0-9\-_.!~*'()])/sprintf('%%%02X', ord $1)/ge;
  return $s;
}

# Puts the placeholder nonce on every inline <script> (no src) and <style> of WHM's cached chrome
# that has none (the real header carries such blocks), before any placeholder is filled. The same
# rule as nonceInlineChrome in src/http/chromeNonce.ts (a test holds the two equal).
sub nonce_inline_chrome {
  my ($html) = @_;
  $html =~ s{(<!--[\s\S]*?(?:-->|\z))|<(script|style)(?=[\s>/])([^>]*)>}{
    my ($comment, $tag, $attrs) = ($1, $2, $3);
    defined $comment ? $comment
      : ($attrs =~ /\snonce\s*=/i || (lc $tag eq 'script' && $attrs =~ /\ssrc\s*=/i)) ? "<$tag$attrs>"
      : "<$tag $PLACEHOLDER_NONCE$attrs>"
  }gie;
  return $html;
}

sub read_file {
  my ($path) = @_;
  open(my $fh, '<:raw', $path) or return undef;
  local $/;
  my $text = <$fh>;
  close $fh;
  return $text;
}

sub fill_chrome {
  my ($text, $token, $user, $title, $nonce) = @_;
  $text = nonce_inline_chrome($text);
  my %with = ('/cpsess0000000000' => $token, 'cpuser00000000000' => escape_html($user), 'Results of Your Request' => escape_html($title), $PLACEHOLDER_NONCE => qq{nonce="$nonce"});
  $text =~ s{(/cpsess0000000000|cpuser00000000000|Results of Your Request|\Q$PLACEHOLDER_NONCE\E)}{$with{$1}}g;
  return $text;
}

# WHM's cached chrome for the "not running" page; () when it cannot be had.
sub whm_chrome {
  my ($user, $token, $title, $nonce) = @_;
  my $dir = "$HOST_ROOT/var/cpanel/caches/_generated_header_files";
  my $keys_text = read_file("$dir/cache_keys.json");
  return () unless defined $keys_text;
  my $keys = eval { require JSON::PP; JSON::PP::decode_json($keys_text) };
  return () unless ref $keys eq 'HASH' && exists $keys->{$user};
  my $key = $keys->{$user};
  return () unless defined $key && !ref $key && $key =~ /\A[A-Za-z0-9_-]{1,128}\z/;
  my $header;
  for my $skip_support ('0', '1') {
    $header = read_file("${dir}/${key}_${skip_support}_0.html");
    last if defined $header;
  }
  return () unless defined $header && $header =~ /<body[\s>]/i;
  my $footer = read_file("$HOST_ROOT/var/cpanel/caches/_generated_footer_files/footer.html");
  return (fill_chrome($header, $token, $user, $title, $nonce), defined $footer ? fill_chrome($footer, $token, $user, $title, $nonce) : undef);
}

# The Node.js the daemon's launcher would find (cPanel's ea-nodejs22, ea-nodejs20, then PATH), or undef.
sub node_found {
  for my $node ("$HOST_ROOT/opt/cpanel/ea-nodejs22/bin/node", "$HOST_ROOT/opt/cpanel/ea-nodejs20/bin/node") {
    return $node if -f $node && -x _;
  }
  for my $dir (split /:/, $ENV{PATH} || '') {
    return "$dir/node" if length $dir && -f "$dir/node" && -x _;
  }
  return undef;
}

sub random_nonce {
  my $bytes = '';
  if (open(my $fh, '<:raw', '/dev/urandom')) {
    read($fh, $bytes, 16);
    close $fh;
  }
  $bytes .= pack('N', rand(2**32)) while length $bytes < 16;
  require MIME::Base64;
  return MIME::Base64::encode_base64(substr($bytes, 0, 16), '');
}

my $DOWN_STYLE = '.rw-down{font-family:"Open Sans","Segoe UI",Roboto,Arial,sans-serif;max-width:760px;margin:24px;padding:16px 20px;border:1px solid #ef9a9a;background:#fdecea;border-radius:6px;color:#263238}.rw-down h1{font-size:20px;margin:0 0 8px;color:#b71c1c}.rw-down pre{background:#263238;color:#eceff1;padding:10px 12px;border-radius:4px}';

# The answer when the daemon is not there: a page in WHM's look (or plain), JSON for the API, 503.
sub daemon_down {
  my ($ctx, $reason) = @_;
  my ($user, $token, $route, $is_root) = @$ctx{qw(user token route is_root)};
  my $no_node = !defined node_found();
  my $seconds = int($TIMEOUT_MS / 1000 + 0.5);
  my $problem =
      $no_node ? 'relaywatch needs Node.js 20 or later, and none was found in /opt/cpanel/ea-nodejs22, /opt/cpanel/ea-nodejs20 or on PATH.'
    : $reason eq 'timeout' ? "The relaywatch daemon did not answer within $seconds seconds."
    : $reason eq 'died' ? 'The relaywatch daemon stopped while it was answering (or its answer was too large).'
    : $reason eq 'denied' ? "This program may not connect to the relaywatch socket $SOCKET (it must run as root)."
    : "The relaywatch daemon is not running (nothing answers on $SOCKET).";
  my $fix = $no_node ? 'Install it with: dnf install ea-nodejs22 (apt install ea-nodejs22 on Ubuntu), then: systemctl restart relaywatch' : 'Start it with: systemctl start relaywatch';
  if (index($route, '/api/') == 0) {
    (my $message = "$problem $fix") =~ s/(["\\])/\\$1/g;
    my $code = $no_node ? 'node_missing' : 'daemon_unavailable';
    write_and_exit(cgi_head(503, ['Content-Type', 'application/json; charset=utf-8'], ['Cache-Control', 'no-store']) . qq({"error":{"code":"$code","message":"$message"}}\n), 0);
  }
  plain(503, $problem) if index($route, '/assets/') == 0;
  my $nonce = random_nonce();
  my $title = $no_node ? 'relaywatch needs Node.js' : 'relaywatch is not running';
  my $reload = escape_html("$token$CGI_PATH");
  my $help =
      !$is_root ? ($no_node
        ? qq{<p>Please ask the server's administrator to install Node.js (cPanel's ea-nodejs22 package) for relaywatch. Then <a href="$reload">reload relaywatch</a>.</p>}
        : qq{<p>Please ask the server's administrator to start the relaywatch service. Then <a href="$reload">reload relaywatch</a>.</p>})
    : $no_node ? qq{<p>Install cPanel's Node.js package as root, then start relaywatch again:</p>
<pre>dnf install ea-nodejs22        # AlmaLinux, Rocky Linux, CloudLinux (yum on older systems)
apt install ea-nodejs22        # Ubuntu
systemctl restart relaywatch</pre>
<p>Then <a href="$reload">reload relaywatch</a>.</p>}
    : qq{<p>Start it in <strong>WHM » Service Configuration » Service Manager</strong> (relaywatch is listed under “Additional Services”), or as root in a shell:</p>
<pre>systemctl start relaywatch
systemctl status relaywatch
journalctl -u relaywatch --since "1 hour ago"</pre>
<p>The last command shows why it stopped. Then <a href="$reload">reload relaywatch</a>.</p>};
  my $body = '<div class="rw-down">' . "\n<h1>" . escape_html($title) . "</h1>\n<p><strong>" . escape_html($problem) . "</strong></p>\n$help\n</div>";
  my $style = qq{<style nonce="$nonce">$DOWN_STYLE</style>};
  my ($header, $footer) = whm_chrome($user, $token, "relaywatch: $title", $nonce);
  my $html = defined $header
    ? "$header\n$style\n$body\n" . (defined $footer ? $footer : "</body>\n</html>") . "\n"
    : "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" . escape_html($title) . "</title>\n$style\n</head>\n<body>\n$body\n</body>\n</html>\n";
  my $csp = "default-src 'none'; script-src 'self' 'nonce-$nonce'; style-src 'self' 'nonce-$nonce'; style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'";
  write_and_exit(cgi_head(503, ['Content-Type', 'text/html; charset=utf-8'], ['Cache-Control', 'no-store'], ['Content-Security-Policy', $csp], ['X-Content-Type-Options', 'nosniff']) . $html, 0);
}

# The daemon's HTTP answer, parsed: undef when it is not a complete answer (the daemon died half way
# through, or sent something else). Bodies come sized (Content-Length), chunked, or up to the close.
sub parse_answer {
  my ($buf, $method) = @_;
  my $end = index($buf, "\r\n\r\n");
  return undef if $end < 0;
  my @lines = split /\r\n/, substr($buf, 0, $end);
  my $first = shift @lines;
  return undef unless defined $first && $first =~ m{\AHTTP/1\.[01] ([0-9]{3})};
  my $status = $1;
  my %headers;
  for my $line (@lines) {
    return undef unless $line =~ /\A([^:]+):[ \t]*(.*?)[ \t]*\z/;
    my ($name, $value) = (lc $1, $2);
    $headers{$name} = exists $headers{$name} ? "$headers{$name}, $value" : $value;
  }
  my $body = substr($buf, $end + 4);
  if ($method eq 'HEAD' || $status == 204 || $status == 304) {
    $body = '';
  } elsif (($headers{'transfer-encoding'} || '') =~ /chunked/i) {
    my ($out, $at) = ('', 0);
    while (1) {
      my $eol = index($body, "\r\n", $at);
      return undef if $eol < 0;
      my $size_text = substr($body, $at, $eol - $at);
      return undef unless $size_text =~ /\A([0-9A-Fa-f]+)/;
      my $size = hex $1;
      last if $size == 0;
      return undef if $eol + 2 + $size + 2 > length $body;
      $out .= substr($body, $eol + 2, $size);
      $at = $eol + 2 + $size + 2;
    }
    $body = $out;
  } elsif (defined $headers{'content-length'}) {
    return undef unless $headers{'content-length'} =~ /\A[0-9]+\z/ && length($body) >= $headers{'content-length'};
    $body = substr($body, 0, $headers{'content-length'});
  }
  return { status => $status, headers => \%headers, body => $body };
}

sub main {
  my $user = defined $ENV{REMOTE_USER} ? $ENV{REMOTE_USER} : '';
  plain(403, 'relaywatch: no WHM user (REMOTE_USER). This program runs only inside WHM: open WHM » Plugins » relaywatch.', 1)
    unless $user =~ /\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z/;
  my $token = defined $ENV{cp_security_token} ? $ENV{cp_security_token} : '';
  plain(403, 'relaywatch: no WHM security token (cp_security_token). Open relaywatch from WHM » Plugins.', 1) unless $token =~ m{\A/cpsess[0-9]{1,32}\z};
  my $method = uc($ENV{REQUEST_METHOD} || 'GET');
  plain(405, "relaywatch: method $method is not supported.") unless $method =~ /\A(?:GET|HEAD|POST)\z/;
  my $qs = defined $ENV{QUERY_STRING} ? $ENV{QUERY_STRING} : '';

  # Which route the request is for: PATH_INFO when the server passes one, else ?route=, else "/".
  my @parts = grep { length } split /&/, $qs;
  my $route;
  my $info = defined $ENV{PATH_INFO} ? $ENV{PATH_INFO} : '';
  if (length $info && $info ne '/' && $info ne $CGI_PATH && $info !~ m{/index\.cgi\z}) {
    $route = $info;
  } else {
    for my $part (@parts) {
      my ($name, $value) = split /=/, $part, 2;
      next unless form_decode($name) eq 'route';
      $route = form_decode(defined $value ? $value : '');
      last;
    }
    $route = '/' unless defined $route && length $route;
  }
  # A route is a plain absolute path: no scheme or host, no second leading slash, no dot segments, no control characters.
  if ($route !~ m{\A/} || $route =~ m{\A//} || $route =~ /[\x00-\x1f\x7f\\]/ || length($route) > 2048 || grep { $_ eq '.' || $_ eq '..' } split m{/}, $route, -1) {
    plain(400, 'relaywatch: the route parameter is not a valid path.');
  }
  my $length = defined $ENV{CONTENT_LENGTH} && length $ENV{CONTENT_LENGTH} ? $ENV{CONTENT_LENGTH} : '0';
  plain(400, 'relaywatch: bad CONTENT_LENGTH.') unless $length =~ /\A[0-9]+\z/;
  plain(413, 'relaywatch: the request body is too large.') if $length > $MAX_BODY;
  my $body = '';
  if ($method eq 'POST' && $length > 0) {
    binmode STDIN;
    my $seconds = int(($BODY_TIMEOUT_MS + 999) / 1000);
    local $SIG{ALRM} = sub { plain(408, "relaywatch: the request body did not arrive within $seconds seconds.") };
    alarm($seconds);
    while (length $body < $length) {
      my $n = sysread(STDIN, $body, $length - length $body, length $body);
      last unless $n;
    }
    alarm(0);
  }

  # The query string without `route`, other parameters kept exactly as sent.
  my $rest = join '&', grep { my ($n) = split /=/, $_, 2; form_decode($n) ne 'route' } @parts;
  my $target = join('/', map { uri_component($_) } split m{/}, $route, -1) . (length $rest ? "?$rest" : '');
  # HTTP/1.0 and a close after the answer: the daemon then sends a sized answer, or one that ends with
  # the connection, never chunks (chunked answers are understood all the same).
  my $head = "$method $target HTTP/1.0\r\nHost: relaywatch\r\nConnection: close\r\n"
    . "x-relaywatch-whm-user: $user\r\nx-relaywatch-security-token: $token\r\nx-relaywatch-base: $token$CGI_PATH\r\n";
  my $clean = sub { (my $v = $_[0]) =~ s/[\r\n]+/ /g; $v };
  $head .= 'x-relaywatch-remote-addr: ' . $clean->($ENV{REMOTE_ADDR}) . "\r\n" if defined $ENV{REMOTE_ADDR} && length $ENV{REMOTE_ADDR};
  for my $f (@FORWARDED) {
    $head .= "$f->[1]: " . $clean->($ENV{$f->[0]}) . "\r\n" if defined $ENV{$f->[0]} && length $ENV{$f->[0]};
  }
  if ($method eq 'POST') {
    $head .= 'Content-Type: ' . $clean->($ENV{CONTENT_TYPE} || 'application/octet-stream') . "\r\nContent-Length: " . length($body) . "\r\n";
  }
  my $ctx = { user => $user, token => $token, route => $route, is_root => $user eq 'root' };

  local $SIG{ALRM} = sub { daemon_down($ctx, 'timeout') };
  local $SIG{PIPE} = 'IGNORE';
  my $ms = $TIMEOUT_MS;
  alarm(int(($ms + 999) / 1000));
  my $sock;
  unless (socket($sock, $AF_UNIX, $SOCK_STREAM, 0)) {
    daemon_down($ctx, 'down');
  }
  unless (connect($sock, pack('S', $AF_UNIX) . $SOCKET . "\0")) {
    daemon_down($ctx, ($!{EACCES} || $!{EPERM}) ? 'denied' : 'down');
  }
  my $request = "$head\r\n$body";
  my $off = 0;
  while ($off < length $request) {
    my $n = syswrite($sock, $request, length($request) - $off, $off);
    daemon_down($ctx, 'died') unless defined $n && $n > 0;
    $off += $n;
  }
  # Held until complete: a daemon that dies half way through must give the admin an error page, not
  # half a page under a 200 status.
  my $answer = '';
  while (1) {
    my $n = sysread($sock, $answer, 65536, length $answer);
    daemon_down($ctx, 'died') unless defined $n;
    last if $n == 0;
    daemon_down($ctx, 'died') if length $answer > $MAX_ANSWER;
  }
  alarm(0);
  close $sock;
  my $parsed = parse_answer($answer, $method);
  daemon_down($ctx, 'died') unless $parsed;
  my @out;
  for my $r (@RELAYED) {
    push @out, [$r->[1], $parsed->{headers}{$r->[0]}] if defined $parsed->{headers}{$r->[0]};
  }
  write_and_exit(cgi_head($parsed->{status}, @out) . $parsed->{body}, 0);
}

main() unless caller;
1;
