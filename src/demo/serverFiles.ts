/**
 * The server's own files: cPanel version, Tweak Settings (cpanel.config) and the server's addresses
 * (cpanel-facts §2, §3, §6).
 */
import { DemoTree } from './demoTree';
import { DemoWorld } from './world';

/**
 * `/var/cpanel/cpanel.config`: KEY=VALUE, sorted. The tailwatchd driver switches are `skip<driver>`
 * keys (0 = on). Modern: POP-before-SMTP relaying on (`popbeforesmtp=1`, matching /etc/popbeforesmtp),
 * the scenario an admin worries about; Antirelayd's key is left over from the upgrade, as on servers
 * that once ran it. Legacy servers had no popbeforesmtp Tweak Setting (Antirelayd itself was the switch).
 */
export function cpanelConfig(world: DemoWorld): string {
  const kv: Record<string, string> = {
    allowremotedomains: '0',
    alwaysredirecttossl: '1',
    cycle_mail_queue: '1',
    email_send_limits_max_defer_fail_percentage: '',
    emailarchive: '1',
    emailsperdaycheck: '0',
    exim_retention_days: '10',
    maxemailsperhour: '',
    mycnf_auto_adjust_maxallowedpacket: '1',
    nativessl: '1',
    skipanalog: '1',
    skipawstats: '0',
    skipboxtrapper: '0',
    skipchkservd: '0',
    skipcpbandwd: '0',
    skipeximstats: '0',
    skipmailman: '0',
    skipspamassassin: '0',
    skiptailwatchd: '0',
    skipwebalizer: '1',
  };
  if (world.generation === 'modern') {
    Object.assign(kv, {
      popbeforesmtp: '1',
      popbeforesmtpsenders: '0',
      skipantirelayd: '1',
      skiprecentauthedmailiptracker: '0',
      skipapnspush: '0',
      skipjailmanager: '0',
      skipmailhealth: '0',
      skipmodseclog: '0',
    });
  } else {
    kv.skipantirelayd = '0';
  }
  return `${Object.keys(kv)
    .sort()
    .map((k) => `${k}=${kv[k]}`)
    .join('\n')}\n`;
}

export async function writeServerFiles(tree: DemoTree, world: DemoWorld): Promise<void> {
  await tree.write('/usr/local/cpanel/version', `${world.version}\n`);
  // where WHM reads the drivers that declare ACLs: install.sh --root puts relaywatch's privilege there
  await tree.mkdir('/usr/local/cpanel/Cpanel/Config/ConfigObj/Driver');
  await tree.write('/var/cpanel/cpanel.config', cpanelConfig(world));
  await tree.write('/etc/hostname', `${world.hostname}\n`);
  // WHM's Basic Setup: the server's contact address receives relaywatch's notices (the demo's
  // sendmail stand-in keeps them under /var/relaywatch-standins/mail/).
  await tree.write('/etc/wwwacct.conf', `ADDR ${world.mainIp}\nCONTACTEMAIL admin@${world.hostname.split('.').slice(1).join('.')}\nCONTACTPAGER \nDEFMOD jupiter\nHOST ${world.hostname}\nNS ns1.${world.hostname.split('.').slice(1).join('.')}\nNS2 ns2.${world.hostname.split('.').slice(1).join('.')}\n`);
  // mainip has no trailing newline on cPanel servers
  await tree.write('/var/cpanel/mainip', world.mainIp);
  await tree.write('/etc/ips', world.extraIps.map((ip) => `${ip}:${world.netmask}:${world.broadcast}\n`).join(''));
  // Two domains send from their own address; the rest use the main IP.
  const dedicated = world.accounts.slice(3, 5);
  await tree.write('/etc/mailips', dedicated.map((a, i) => `${a.domain}: ${world.extraIps[i]}\n`).join(''));
}
