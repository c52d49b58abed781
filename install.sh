#!/usr/bin/env bash
# Installs relaywatch as a WHM plugin on a cPanel & WHM server, or removes it again.
#
#   ./install.sh                 install or upgrade (run as root from the unpacked release archive)
#   ./install.sh --uninstall     remove everything it installed (the audit log and config stay);
#                                works from any folder
#   ./install.sh --prefix DIR    install the program into DIR (default /usr/local/relaywatch)
#   ./install.sh --root DIR      act on a server tree under DIR: every path, and every cPanel program
#                                called (DIR/usr/local/cpanel/bin/register_appconfig), is taken under
#                                DIR; systemctl comes from PATH. For tests and staging.
#
# It changes only what differs, so running it again changes nothing, and running it after an upgrade
# replaces what changed and restarts the daemon. See "Installing on a cPanel server" in README.md.
set -euo pipefail

NAME=relaywatch
ROOT=/
PREFIX=/usr/local/relaywatch
ACTION=install

# Host paths (under --root when given).
CPANEL_BIN=/usr/local/cpanel/bin
DOCROOT=/usr/local/cpanel/whostmgr/docroot
CGI_DIR=$DOCROOT/cgi/relaywatch
ASSETS_DIR=$CGI_DIR/assets
LOGROTATE=/etc/logrotate.d/relaywatch
ICON=$DOCROOT/addon_plugins/relaywatch.png
APPS_CONF=/var/cpanel/apps/relaywatch.conf
UNIT=/etc/systemd/system/relaywatch.service
CHKSERV_ENTRY=/etc/chkserv.d/relaywatch
CHKSERVD_CONF=/etc/chkserv.d/chkservd.conf
BIN_LINK=/usr/local/bin/relaywatch
SOCKET=/run/relaywatch/http.sock
RUNTIME_DIR=/run/relaywatch
STATE_DIR=/var/lib/relaywatch
# The key that signs the login index: it goes with the index (a new one is made with the next index).
INDEX_KEY=/etc/relaywatch/index.key
KEPT_DIRS="/var/log/relaywatch /etc/relaywatch"
# relaywatch's own WHM privilege (software-relaywatch): a ConfigObj driver in cPanel's tree, which WHM
# reads to list the ACL in "Edit Reseller Nameservers and Privileges" (see plugin/acl/).
ACL_DRIVER_DIR=/usr/local/cpanel/Cpanel/Config/ConfigObj/Driver
ACL_DRIVER=$ACL_DRIVER_DIR/Relaywatch.pm
ACL_META_DIR=$ACL_DRIVER_DIR/Relaywatch
ACL_NAME=software-relaywatch
RESELLERS=/var/cpanel/resellers
MARKER=.relaywatch-install

say() { printf 'relaywatch: %s\n' "$*"; }
die() {
  printf 'relaywatch: error: %s\n' "$*" >&2
  exit 1
}
usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) ACTION=uninstall ;;
    --root)
      [ $# -ge 2 ] || die "--root needs a directory"
      ROOT=$2
      shift
      ;;
    --root=*) ROOT=${1#--root=} ;;
    --prefix)
      [ $# -ge 2 ] || die "--prefix needs a directory"
      PREFIX=$2
      shift
      ;;
    --prefix=*) PREFIX=${1#--prefix=} ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option \"$1\" (see ./install.sh --help)" ;;
  esac
  shift
done

[ -d "$ROOT" ] || die "--root $ROOT is not a directory"
R=$(cd "$ROOT" && pwd -P)
[ "$R" = / ] && R=
# The prefix is removed with rm -rf on --uninstall: only a plain absolute path ending in /relaywatch.
case "$PREFIX" in
  /*/relaywatch | /relaywatch) ;;
  *) die "--prefix must be an absolute path ending in /relaywatch (got \"$PREFIX\")" ;;
esac
[[ "$PREFIX" =~ ^(/[A-Za-z0-9._-]+)+$ && "$PREFIX" != *"/../"* && "$PREFIX" != *"/./"* ]] || die "--prefix \"$PREFIX\" must be a plain path"

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# hp PATH: the real location of a host path.
hp() { printf '%s%s' "$R" "$1"; }

if [ -z "$R" ] && [ "$(id -u)" != 0 ]; then die "run this as root"; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/relaywatch-install.XXXXXX")
STAGE=
cleanup() {
  rm -rf "$WORK"
  if [ -n "$STAGE" ]; then rm -rf "$STAGE"; fi
}
trap cleanup EXIT

CHANGES=0
changed() {
  CHANGES=$((CHANGES + 1))
  say "$*"
}

# put_file SRC DST MODE: copies when the content differs, fixes the mode; sets FILE_CHANGED.
FILE_CHANGED=0
put_file() {
  local src=$1 dst=$2 mode=$3 shown
  shown=${dst#"$R"}
  FILE_CHANGED=0
  mkdir -p "$(dirname "$dst")"
  if [ -f "$dst" ] && [ ! -L "$dst" ] && cmp -s "$src" "$dst"; then
    if [ "$(stat -c %a "$dst")" != "${mode#0}" ]; then
      chmod "$mode" "$dst"
      FILE_CHANGED=1
      changed "set mode $mode on $shown"
    fi
    return 0
  fi
  cp "$src" "$dst.tmp-$$"
  chmod "$mode" "$dst.tmp-$$"
  mv -f "$dst.tmp-$$" "$dst"
  FILE_CHANGED=1
  changed "installed $shown"
}

ensure_dir() {
  local dir=$1 mode=$2
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    chmod "$mode" "$dir"
    changed "created ${dir#"$R"}"
  elif [ "$(stat -c %a "$dir")" != "${mode#0}" ]; then
    chmod "$mode" "$dir"
    changed "set mode $mode on ${dir#"$R"}"
  fi
}

# Perl for the CGI: cPanel's own (it comes and goes with cPanel itself), else the system's.
PERL=
find_perl() {
  local c
  for c in /usr/local/cpanel/3rdparty/bin/perl /usr/bin/perl; do
    if [ -x "$(hp "$c")" ] || { [ -n "$R" ] && [ "$c" = /usr/bin/perl ] && [ -x "$c" ]; }; then
      PERL=$c
      return 0
    fi
  done
  die "Perl was not found (/usr/local/cpanel/3rdparty/bin/perl or /usr/bin/perl): is this a cPanel & WHM server?"
}

need_systemctl() {
  command -v systemctl >/dev/null 2>&1 || die "systemctl was not found: relaywatch runs its daemon under systemd"
}

# ---------------------------------------------------------------------------------------------------
# Node: cPanel's EasyApache packages first, then PATH. Needed here to read package-lock.json (and
# to build from a checkout); nothing installed names it: bin/relaywatch (the command line and the
# daemon) looks for Node each time it starts, in the same order, and the CGI is Perl, so a switch of
# cPanel's Node package breaks nothing.

NODE=
NODE_HOST=
find_node() {
  local candidates=("$(hp /opt/cpanel/ea-nodejs22/bin/node)" "$(hp /opt/cpanel/ea-nodejs20/bin/node)")
  local on_path c v too_old=""
  on_path=$(command -v node 2>/dev/null || true)
  [ -n "$on_path" ] && candidates+=("$on_path")
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    v=$("$c" -e 'process.stdout.write(process.versions.node)' 2>/dev/null) || continue
    if [ "${v%%.*}" -ge 20 ] 2>/dev/null; then
      NODE=$c
      # Files written for the server name the host path (without --root's folder).
      if [ -n "$R" ] && [[ "$c" == "$R"/* ]]; then NODE_HOST=${c#"$R"}; else NODE_HOST=$c; fi
      say "using Node.js $v ($NODE_HOST)"
      return 0
    fi
    too_old="$too_old ${c#"$R"} ($v)"
  done
  [ -n "$too_old" ] && say "too old (Node.js 20 or later is needed):$too_old"
  die "Node.js 20 or later was not found in /opt/cpanel/ea-nodejs22, /opt/cpanel/ea-nodejs20 or on PATH.
Install cPanel's Node.js package, then run ./install.sh again:
    dnf install ea-nodejs22      (AlmaLinux, Rocky Linux, CloudLinux; yum on older systems)
    apt install ea-nodejs22      (Ubuntu)"
}

# ---------------------------------------------------------------------------------------------------
# What gets installed: dist/ (built), templates/, production node_modules/, package.json, and from
# plugin/: the launcher bin/relaywatch, its Perl quick path bin/relaywatch-explain, and the AppConfig.

ensure_built() {
  local main=$SRC/dist/cli/main.js stale=""
  if [ -f "$main" ] && [ -d "$SRC/src" ]; then
    stale=$(find "$SRC/src" "$SRC/templates" "$SRC/package.json" -newer "$main" -print -quit 2>/dev/null || true)
  fi
  if [ -f "$main" ] && [ -z "$stale" ]; then return 0; fi
  if [ ! -d "$SRC/src" ]; then die "dist/ is missing from $SRC, and there is no src/ to build it from"; fi
  if [ ! -f "$SRC/node_modules/typescript/bin/tsc" ]; then
    die "dist/ is ${stale:+older than src/ }${stale:-missing}; building needs the development packages:
    npm ci && npm run build      (needs network access), then run ./install.sh again,
or install from a release archive, which holds dist/ and node_modules/ ready to use"
  fi
  say "building dist/ from src/"
  (cd "$SRC" && PATH="$(dirname "$NODE"):$PATH" "$NODE" node_modules/typescript/bin/tsc -p tsconfig.json) ||
    die "the build failed (see the messages above)"
  (cd "$SRC" && "$NODE" -e "require('fs').cpSync('src/data','dist/data',{recursive:true})")
}

production_modules() {
  [ -f "$SRC/package-lock.json" ] || die "package-lock.json is missing from $SRC"
  "$NODE" -e '
    const lock = require(process.argv[1]);
    const fs = require("fs"), path = require("path");
    const missing = [];
    for (const [p, v] of Object.entries(lock.packages || {})) {
      if (!p || v.dev || v.devOptional || v.link) continue;
      // nested packages travel inside their parent folder
      if (p.split("node_modules/").length !== 2) continue;
      if (!fs.existsSync(path.join(path.dirname(process.argv[1]), p, "package.json"))) {
        if (!v.optional) missing.push(p);
        continue;
      }
      console.log(p);
    }
    if (missing.length) {
      console.error("missing: " + missing.join(" "));
      process.exit(2);
    }' "$SRC/package-lock.json" ||
    die "node_modules/ lacks production packages: run \"npm ci --omit=dev\" (or \"npm ci\") in $SRC, or use a release archive"
}

# The V8 code cache for this server's Node.js (src/boot/codeCache.ts), so that a command compiles
# almost nothing when it starts: the archive's when it was made by the same Node.js, else the installed
# one when nothing else in dist/ changed (running again changes nothing), else a training run of the
# staged program makes one. Without it relaywatch works, only slower to start.
code_cache() {
  local target=$1 file
  file=dist/v8-code-cache/$("$NODE" -p 'process.version + "-" + process.arch').bin
  [ -f "$STAGE/$file" ] && return 0
  [ -f "$STAGE/dist/boot/buildCodeCache.js" ] || return 0
  if [ -f "$target/$file" ] && diff -rq -x v8-code-cache "$STAGE/dist" "$target/dist" >/dev/null 2>&1; then
    mkdir -p "$(dirname "$STAGE/$file")"
    cp -p "$target/$file" "$STAGE/$file"
    return 0
  fi
  "$NODE" "$STAGE/dist/boot/buildCodeCache.js" >/dev/null || say "warning: no code cache made (see above); relaywatch works without one, only slower to start"
}

install_program() {
  local target parent m modules
  target=$(hp "$PREFIX")
  parent=$(dirname "$target")
  if [ -e "$target" ] && [ ! -e "$target/$MARKER" ] && [ -n "$(ls -A "$target" 2>/dev/null)" ]; then
    die "$PREFIX exists and was not installed by this script; move it away or choose another --prefix"
  fi
  modules=$(production_modules)
  # Staged in the work folder, so an unchanged installation is not even touched (its folder's time included).
  STAGE=$WORK/program
  mkdir "$STAGE"
  cp -R "$SRC/dist" "$STAGE/dist"
  cp -R "$SRC/templates" "$STAGE/templates"
  mkdir -p "$STAGE/node_modules" "$STAGE/bin" "$STAGE/plugin"
  for m in $modules; do
    mkdir -p "$STAGE/$(dirname "$m")"
    cp -R "$SRC/$m" "$STAGE/$m"
  done
  cp "$SRC/package.json" "$STAGE/package.json"
  cp "$SRC/plugin/relaywatch.conf" "$STAGE/plugin/relaywatch.conf"
  cp "$SRC/plugin/bin/relaywatch" "$STAGE/bin/relaywatch"
  # The launcher's quick path for `explain` (Perl, as the CGI: cPanel's Perl in its first line).
  { printf '#!%s\n' "$PERL"; tail -n +2 "$SRC/plugin/bin/relaywatch-explain"; } >"$STAGE/bin/relaywatch-explain"
  code_cache "$target"
  printf 'installed by install.sh; --uninstall removes this folder\n' >"$STAGE/$MARKER"
  chmod -R u=rwX,go=rX "$STAGE"
  chmod 0755 "$STAGE" "$STAGE/bin/relaywatch" "$STAGE/bin/relaywatch-explain"
  if [ -d "$target" ] && diff -rq "$STAGE" "$target" >/dev/null 2>&1; then
    PROGRAM_CHANGED=0
    return 0
  fi
  # Swap whole trees (copied next to the target first, so the swap is two renames on one file
  # system): no mix of old and new files is ever in place.
  mkdir -p "$parent"
  STAGE=$parent/.relaywatch-new.$$
  rm -rf "$STAGE"
  cp -pR "$WORK/program" "$STAGE"
  if [ -e "$target" ]; then mv "$target" "$parent/.relaywatch-old.$$"; fi
  mv "$STAGE" "$target"
  STAGE=
  rm -rf "$parent/.relaywatch-old.$$"
  PROGRAM_CHANGED=1
  changed "installed the program in $PREFIX"
}

# ---------------------------------------------------------------------------------------------------

# The static files (CSS, JS) in the plugin's docroot folder, under content-hashed names
# (<name>.<first 12 hex digits of its sha256>.<ext>, as src/http/assets.ts links them), where cpsrvd
# serves them itself. Names no longer in use are removed.
install_assets() {
  local dir f base hash named keep=" "
  dir=$(hp "$ASSETS_DIR")
  ensure_dir "$dir" 0755
  for f in "$SRC"/templates/assets/*; do
    [ -f "$f" ] || continue
    base=${f##*/}
    hash=$(sha256sum "$f" | cut -c1-12)
    if [[ "$base" == ?*.* ]]; then named="${base%.*}.$hash.${base##*.}"; else named="$base.$hash"; fi
    put_file "$f" "$dir/$named" 0644
    keep="$keep$named "
  done
  for f in "$dir"/*; do
    [ -e "$f" ] || continue
    case "$keep" in
      *" ${f##*/} "*) ;;
      *)
        rm -rf "$f"
        changed "removed ${f#"$R"} (no longer used)"
        ;;
    esac
  done
}

add_chkservd_line() {
  local f
  f=$(hp "$CHKSERVD_CONF")
  # An existing line is the admin's choice (Service Manager writes relaywatch:0 to stop monitoring).
  if [ -f "$f" ] && grep -q '^relaywatch:' "$f"; then return 0; fi
  mkdir -p "$(dirname "$f")"
  if [ -f "$f" ]; then
    cp -p "$f" "$f.tmp-$$"
    if [ -s "$f.tmp-$$" ] && [ -n "$(tail -c 1 "$f.tmp-$$")" ]; then printf '\n' >>"$f.tmp-$$"; fi
  else
    : >"$f.tmp-$$"
    chmod 0644 "$f.tmp-$$"
  fi
  printf 'relaywatch:1\n' >>"$f.tmp-$$"
  mv -f "$f.tmp-$$" "$f"
  changed "added relaywatch:1 to $CHKSERVD_CONF"
}

remove_chkservd_line() {
  local f
  f=$(hp "$CHKSERVD_CONF")
  [ -f "$f" ] && grep -q '^relaywatch:' "$f" || return 0
  cp -p "$f" "$f.tmp-$$"
  grep -v '^relaywatch:' "$f" >"$f.tmp-$$" || true
  mv -f "$f.tmp-$$" "$f"
  changed "removed relaywatch from $CHKSERVD_CONF"
}

# The AppConfig as a sorted key=value list, so a re-run compares meaning, not layout.
conf_keys() { grep -v '^[[:space:]]*\(#\|$\)' "$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*=[[:space:]]*/=/; s/[[:space:]]*$//' | sort; }

# The privilege's driver. WHM loads every driver in that folder inside WHM itself, and a driver whose
# META.pm is missing breaks WHM's pages: META.pm goes in first and leaves last. WHM keeps the list of
# third-party ACLs in /var/cpanel/dynamicaclitems.cache and reads the drivers again when the folder is
# newer than the cache (else after 30 minutes); replacing META.pm in its subfolder does not change the
# folder's time, so the folder is touched after any change.
install_acl_driver() {
  local dir any=0
  dir=$(hp "$ACL_DRIVER_DIR")
  if [ ! -d "$dir" ]; then
    say "warning: $ACL_DRIVER_DIR is missing, so the $ACL_NAME privilege cannot be defined: only root and resellers with \"all\" can open relaywatch"
    return 0
  fi
  ensure_dir "$(hp "$ACL_META_DIR")" 0755
  put_file "$SRC/plugin/acl/Relaywatch/META.pm" "$(hp "$ACL_META_DIR/META.pm")" 0644
  any=$FILE_CHANGED
  put_file "$SRC/plugin/acl/Relaywatch.pm" "$(hp "$ACL_DRIVER")" 0644
  if [ "$FILE_CHANGED" = 1 ] || [ "$any" = 1 ]; then touch "$dir"; fi
}

remove_acl_driver() {
  local dir
  dir=$(hp "$ACL_DRIVER_DIR")
  [ -e "$(hp "$ACL_DRIVER")" ] || [ -e "$(hp "$ACL_META_DIR")" ] || return 0
  rm -f "$(hp "$ACL_DRIVER")"
  rm -rf "$(hp "$ACL_META_DIR")"
  touch "$dir"
  changed "removed the $ACL_NAME privilege ($ACL_DRIVER and $ACL_META_DIR/)"
}

# Up to this version a reseller opened relaywatch with list-accts. When the registered AppConfig still
# says so, name the resellers who had it that way and lack the new privilege: nothing is granted on
# root's behalf, but nobody loses access without root being told.
report_list_accts_resellers() {
  local registered=$1 f names
  case ",$(sed -n 's/^[[:space:]]*acls[[:space:]]*=[[:space:]]*//p' "$registered" | tr -d '[:space:]')," in
    *,list-accts,*) ;;
    *) return 0 ;;
  esac
  f=$(hp "$RESELLERS")
  [ -f "$f" ] || return 0
  names=$(awk -F: -v acl="$ACL_NAME" '
    NF >= 2 { n = split($2, a, ","); has = 0; all = 0; la = 0
      for (i = 1; i <= n; i++) { gsub(/[[:space:]]/, "", a[i]); if (a[i] == acl) has = 1; if (a[i] == "all") all = 1; if (a[i] == "list-accts") la = 1 }
      if (la && !has && !all) printf "%s ", $1 }' "$f")
  [ -n "$names" ] || return 0
  say "relaywatch now has its own privilege, $ACL_NAME; list-accts no longer opens it."
  say "these resellers opened it through list-accts and will not see it until root grants $ACL_NAME"
  say "(WHM » Resellers » Edit Reseller Nameservers and Privileges, under \"Third-Party Services\"): ${names% }"
}

do_install() {
  local register unit_changed=0 link want
  register=$(hp "$CPANEL_BIN/register_appconfig")
  [ -x "$register" ] || die "$CPANEL_BIN/register_appconfig was not found: is this a cPanel & WHM server?"
  need_systemctl
  find_node
  find_perl
  ensure_built
  PROGRAM_CHANGED=0
  install_program

  # The CGI WHM runs (Perl, with cPanel's Perl in its first line); root only, as WHM runs it as root.
  ensure_dir "$(hp "$CGI_DIR")" 0755
  { printf '#!%s\n' "$PERL"; tail -n +2 "$SRC/plugin/cgi/index.cgi"; } >"$WORK/index.cgi"
  put_file "$WORK/index.cgi" "$(hp "$CGI_DIR/index.cgi")" 0700
  install_assets
  put_file "$SRC/plugin/logrotate.d/relaywatch" "$(hp "$LOGROTATE")" 0644
  put_file "$SRC/plugin/relaywatch.png" "$(hp "$ICON")" 0644
  install_acl_driver

  sed "s#/usr/local/relaywatch/#$PREFIX/#g" "$SRC/plugin/relaywatch.service" >"$WORK/relaywatch.service"
  put_file "$WORK/relaywatch.service" "$(hp "$UNIT")" 0644
  unit_changed=$FILE_CHANGED

  put_file "$SRC/plugin/chkserv.d/relaywatch" "$(hp "$CHKSERV_ENTRY")" 0644
  add_chkservd_line

  link=$(hp "$BIN_LINK")
  want=$PREFIX/bin/relaywatch
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$want" ]; then
    :
  elif [ -e "$link" ] && [ ! -L "$link" ]; then
    say "warning: $BIN_LINK exists and is not a link; left as it is"
  else
    mkdir -p "$(dirname "$link")"
    ln -sfn "$want" "$link"
    changed "linked $BIN_LINK -> $want"
  fi

  # Registration goes through cPanel's tool (it also rebuilds WHM's menus); never a copy into /var/cpanel/apps.
  # Registered as it is, or without searchtext= on a cPanel that refused it: up to date either way.
  local registered=""
  if [ -f "$(hp "$APPS_CONF")" ]; then
    registered=$(conf_keys "$(hp "$APPS_CONF")")
    report_list_accts_resellers "$(hp "$APPS_CONF")"
  fi
  if [ -z "$registered" ] || { [ "$registered" != "$(conf_keys "$SRC/plugin/relaywatch.conf")" ] &&
    [ "$registered" != "$(conf_keys "$SRC/plugin/relaywatch.conf" | grep -v '^searchtext=')" ]; }; then
    if (cd / && "$register" "$(hp "$PREFIX/plugin/relaywatch.conf")"); then
      changed "registered the plugin with WHM (Plugins » relaywatch)"
    else
      # searchtext= (words for WHM's menu search) is known to cPanel 132 and later; an older
      # register_appconfig that refuses it gets the AppConfig without it.
      say "register_appconfig refused the AppConfig; trying again without searchtext="
      grep -v '^searchtext=' "$(hp "$PREFIX/plugin/relaywatch.conf")" >"$WORK/relaywatch.conf"
      (cd / && "$register" "$WORK/relaywatch.conf") || die "register_appconfig failed"
      changed "registered the plugin with WHM (Plugins » relaywatch), without menu search words"
    fi
  fi

  if [ "$unit_changed" = 1 ]; then systemctl daemon-reload; fi
  if ! systemctl is-enabled --quiet relaywatch 2>/dev/null; then
    systemctl enable relaywatch
    changed "enabled the relaywatch service"
  fi
  if systemctl is-active --quiet relaywatch 2>/dev/null; then
    if [ "$PROGRAM_CHANGED" = 1 ] || [ "$unit_changed" = 1 ]; then
      systemctl restart relaywatch || die "the daemon did not restart; see: journalctl -u relaywatch"
      changed "restarted the relaywatch service"
    fi
  else
    systemctl start relaywatch || die "the daemon did not start; see: journalctl -u relaywatch"
    changed "started the relaywatch service"
  fi

  if [ -z "$R" ]; then
    local i
    for i in $(seq 1 20); do
      [ -S "$SOCKET" ] && break
      sleep 0.5
    done
    [ -S "$SOCKET" ] || say "warning: the daemon has not opened $SOCKET yet; check: systemctl status relaywatch"
  fi

  if [ "$CHANGES" = 0 ]; then
    say "already installed and up to date; nothing changed"
  else
    say "done ($CHANGES changes). Open WHM » Plugins » relaywatch."
  fi
}

do_uninstall() {
  local unregister link
  if command -v systemctl >/dev/null 2>&1; then
    if systemctl is-active --quiet relaywatch 2>/dev/null || systemctl is-enabled --quiet relaywatch 2>/dev/null; then
      systemctl disable --now relaywatch
      changed "stopped and disabled the relaywatch service"
    fi
  fi
  if [ -e "$(hp "$UNIT")" ]; then
    rm -f "$(hp "$UNIT")"
    changed "removed $UNIT"
    need_systemctl
    systemctl daemon-reload
  fi
  if [ -e "$(hp "$APPS_CONF")" ]; then
    unregister=$(hp "$CPANEL_BIN/unregister_appconfig")
    [ -x "$unregister" ] || die "$CPANEL_BIN/unregister_appconfig was not found; cannot remove the WHM registration"
    # unregister_appconfig takes its argument for a path when a file or folder of that name is in the
    # current folder: it gets the absolute path of the installed AppConfig, and runs from /.
    local conf=$NAME
    if [ -f "$(hp "$PREFIX/plugin/relaywatch.conf")" ]; then conf=$(hp "$PREFIX/plugin/relaywatch.conf"); fi
    (cd / && "$unregister" "$conf") || die "unregister_appconfig failed"
    changed "unregistered the plugin from WHM"
  fi
  remove_acl_driver
  if [ -e "$(hp "$CGI_DIR")" ]; then
    rm -rf "$(hp "$CGI_DIR")"
    changed "removed $CGI_DIR"
  fi
  if [ -e "$(hp "$ICON")" ]; then
    rm -f "$(hp "$ICON")"
    changed "removed $ICON"
  fi
  if [ -e "$(hp "$CHKSERV_ENTRY")" ]; then
    rm -f "$(hp "$CHKSERV_ENTRY")"
    changed "removed $CHKSERV_ENTRY"
  fi
  if [ -e "$(hp "$LOGROTATE")" ]; then
    rm -f "$(hp "$LOGROTATE")"
    changed "removed $LOGROTATE"
  fi
  remove_chkservd_line
  link=$(hp "$BIN_LINK")
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$PREFIX/bin/relaywatch" ]; then
    rm -f "$link"
    changed "removed $BIN_LINK"
  fi
  if [ -e "$(hp "$PREFIX")" ]; then
    [ -e "$(hp "$PREFIX/$MARKER")" ] || die "$PREFIX was not installed by this script; left in place"
    rm -rf "$(hp "$PREFIX")"
    changed "removed $PREFIX"
  fi
  local d
  for d in "$STATE_DIR" "$RUNTIME_DIR"; do
    if [ -e "$(hp "$d")" ]; then
      rm -rf "$(hp "$d")"
      changed "removed $d"
    fi
  done
  if [ -e "$(hp "$INDEX_KEY")" ]; then
    rm -f "$(hp "$INDEX_KEY")"
    changed "removed $INDEX_KEY"
    # /etc/relaywatch stays when it holds the admin's own files (config.yaml, zones.yaml)
    rmdir "$(hp "$(dirname "$INDEX_KEY")")" 2>/dev/null || true
  fi
  for d in $KEPT_DIRS; do
    if [ -e "$(hp "$d")" ]; then say "kept $d (remove it by hand if you no longer need it)"; fi
  done
  if [ "$CHANGES" = 0 ]; then say "not installed; nothing to remove"; else say "removed ($CHANGES changes)"; fi
}

if [ "$ACTION" = install ]; then do_install; else do_uninstall; fi
