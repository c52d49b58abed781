/**
 * The plugin's navigation, in display order. Each page adds its entry here; `rootOnly` entries are
 * hidden from resellers (their routes refuse them anyway).
 */
export interface NavItem {
  route: string;
  label: string;
  rootOnly?: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { route: '/', label: 'Overview' },
  { route: '/guide', label: 'Guided check' },
  { route: '/accounts', label: 'Accounts' },
  { route: '/reliance', label: 'Who relies' },
  { route: '/autoresponders', label: 'Autoresponders' },
  { route: '/backscatter', label: 'Backscatter' },
  { route: '/blacklist', label: 'Blacklists', rootOnly: true },
  { route: '/status', label: 'POP-before-SMTP', rootOnly: true },
  { route: '/monitoring', label: 'Monitoring', rootOnly: true },
  { route: '/audit', label: 'Audit log', rootOnly: true },
];
