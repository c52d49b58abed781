/**
 * What the monitoring page and GET /api/v1/notify show of the notifier: where mail goes, what was
 * sent and what failed. Root only (it names the contact address and the IPs mailed about).
 */
import { requireRoot, Viewer } from '../domain/scope';
import { CoreContext } from '../services/context';
import { Contact, readContact } from './contact';
import { NotifyState, readNotifyState } from './notifyState';

export interface NotifyView {
  enabled: boolean;
  contact: Contact;
  events: string[];
  maxPerHour: number;
  state: NotifyState;
  /** the last mail failed, or no recipient: something for the admin to fix */
  failing: boolean;
}

export async function notifyView(ctx: CoreContext, viewer: Viewer): Promise<NotifyView> {
  requireRoot(viewer, 'see where the server\'s notices are mailed');
  const state = await readNotifyState(ctx);
  const contact = await readContact(ctx);
  const failing = contact.to.length === 0 || (!!state.lastFailure && (!state.lastSent || state.lastFailure.time > state.lastSent));
  return { enabled: ctx.config.notify.enabled, contact, events: ctx.config.notify.events, maxPerHour: ctx.config.notify.maxPerHour, state, failing };
}
