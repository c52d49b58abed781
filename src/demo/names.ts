/**
 * Word lists for plausible account, domain and mailbox names. Domains use the reserved top-level
 * names `.example` and `.test` (RFC 2606), so no demo name is someone's real site.
 */

export const DOMAIN_WORDS_A = [
  'alder', 'amber', 'anchor', 'apple', 'arbor', 'aspen', 'atlas', 'autumn', 'azure', 'badger', 'baker', 'bay',
  'beacon', 'birch', 'bison', 'blue', 'bolt', 'bramble', 'bright', 'brook', 'cabin', 'canyon', 'cedar', 'chalk',
  'cherry', 'cider', 'citrus', 'clover', 'coast', 'cobalt', 'copper', 'coral', 'cotton', 'crane', 'crest',
  'crimson', 'crown', 'daisy', 'delta', 'dune', 'eagle', 'east', 'elm', 'ember', 'fern', 'field', 'fig', 'finch',
  'flint', 'fox', 'frost', 'garnet', 'ginger', 'glacier', 'golden', 'granite', 'green', 'harbor', 'hazel',
  'heron', 'hill', 'honey', 'indigo', 'iron', 'ivy', 'jade', 'juniper', 'kestrel', 'lake', 'lantern', 'larch',
  'lemon', 'linden', 'lotus', 'maple', 'marble', 'meadow', 'mill', 'mint', 'moss', 'north', 'oak', 'ocean',
  'olive', 'orchid', 'otter', 'pebble', 'pine', 'plum', 'poppy', 'prairie', 'quail', 'quartz', 'raven', 'red',
  'reed', 'ridge', 'river', 'robin', 'rose', 'rowan', 'sage', 'salt', 'sand', 'silver', 'sparrow', 'spruce',
  'stone', 'summit', 'sun', 'swift', 'thistle', 'tide', 'timber', 'valley', 'velvet', 'violet', 'walnut',
  'west', 'willow', 'wren',
];

export const DOMAIN_WORDS_B = [
  'accounting', 'apparel', 'architects', 'arts', 'auto', 'bakery', 'bikes', 'books', 'brewing', 'builders',
  'cafe', 'candles', 'care', 'carpentry', 'catering', 'ceramics', 'clinic', 'coffee', 'consulting', 'crafts',
  'dental', 'design', 'digital', 'electric', 'events', 'farm', 'fitness', 'florist', 'foods', 'framing',
  'furniture', 'gallery', 'garage', 'garden', 'glass', 'group', 'guesthouse', 'hardware', 'health', 'homes',
  'imports', 'inn', 'insurance', 'interiors', 'joinery', 'kitchen', 'labs', 'law', 'landscaping', 'legal',
  'logistics', 'market', 'media', 'motors', 'music', 'optics', 'outdoors', 'paint', 'pets', 'pharmacy',
  'photo', 'plumbing', 'press', 'print', 'realty', 'records', 'rentals', 'roofing', 'school', 'security',
  'solar', 'studio', 'supply', 'tailors', 'tea', 'tech', 'tours', 'toys', 'travel', 'vet', 'wellness', 'wines',
  'works', 'yoga',
];

export const TLDS: ReadonlyArray<readonly [string, number]> = [
  ['example', 8],
  ['test', 2],
];

export const FIRST_NAMES = [
  'alice', 'amir', 'anna', 'ben', 'carla', 'chen', 'dana', 'david', 'elena', 'emma', 'farid', 'frank', 'grace',
  'hana', 'hugo', 'ines', 'ivan', 'jack', 'jana', 'john', 'julia', 'karim', 'kate', 'lars', 'lea', 'leo', 'lina',
  'lucas', 'maria', 'mark', 'mia', 'nadia', 'nina', 'noah', 'olga', 'omar', 'paul', 'petra', 'priya', 'rafael',
  'rosa', 'sam', 'sara', 'sofia', 'tom', 'uma', 'victor', 'wei', 'yara', 'zoe',
];

export const ROLE_MAILBOXES = ['info', 'office', 'sales', 'billing', 'contact', 'orders', 'support', 'admin', 'bookings', 'hello'];

/** Names brute-force scripts try on every mail server. */
export const GUESSED_USERS = [
  'admin', 'test', 'info', 'root', 'user', 'webmaster', 'postmaster', 'sales', 'support', 'office', 'guest',
  'mail', 'contact', 'administrator', 'demo', 'backup', 'noreply', 'marketing',
];

/**
 * Attacker-controlled user names. Dovecot logs whatever a client sends as the user of a *failed* login,
 * so these appear only in failed lines (a successful login is always a real mailbox).
 * The first is the one the summary reports.
 */
export const HOSTILE_USERS = [
  '<script>alert(1)</script>',
  // U+202E RIGHT-TO-LEFT OVERRIDE: shows as "servicexe.pdf" in a careless page
  'service\u202Efdp.exe',
  // looks like a terminal escape sequence (the backslashes are literal)
  '\\x1b[2J\\x1b[31mroot',
  // tries to add a second rip= field to the line
  'bob@example.com, rip=192.0.2.66',
];
