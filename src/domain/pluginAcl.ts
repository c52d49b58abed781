/**
 * Which WHM privileges open relaywatch. The list is the AppConfig's `acls=` (plugin/relaywatch.conf),
 * which WHM checks before it runs the CGI; the daemon and the CLI's --as check it again through
 * viewerFor, and a test keeps the two lists equal.
 */

/**
 * relaywatch's own WHM privilege, declared by the ConfigObj driver that install.sh places in cPanel's
 * tree (plugin/acl/Relaywatch.pm); root grants it per reseller.
 */
export const PLUGIN_ACL = 'software-relaywatch';

/**
 * A user needs one of these: `all` is root level, and a reseller needs relaywatch's own privilege.
 * `list-accts` no longer opens the plugin: nearly every reseller has it, so root could not choose who
 * sees relaywatch.
 */
export const PLUGIN_ACLS: readonly string[] = ['all', PLUGIN_ACL];

/** Where root grants the privilege, for the refusal a reseller without it gets. */
export const GRANT_HINT = 'root grants it in WHM » Resellers » Edit Reseller Nameservers and Privileges, under "Third-Party Services"';

/** True when a reseller's ACLs (as /var/cpanel/resellers lists them) open the plugin. */
export function opensPlugin(acls: readonly string[]): boolean {
  return acls.some((acl) => PLUGIN_ACLS.includes(acl));
}
