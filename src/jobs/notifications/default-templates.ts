import type { NotificationKind } from '../../domain/notifications/notification-kinds.js';

/**
 * The built-in templates (Mustache). A merchant overrides any of them with a file of the same
 * name in NOTIFY_TEMPLATES_DIR: `<kind>.subject.mustache`, `<kind>.text.mustache`,
 * `<kind>.html.mustache`. The variables are NotificationView's (docs/NOTIFICATIONS.md).
 */
export interface TemplateSet {
  subject: string;
  text: string;
  html: string;
}

const LINES_TEXT = `{{#order.lines}}
- {{quantity}} × {{title}} ({{sku}})
{{/order.lines}}`;
const LINES_HTML = `<ul>{{#order.lines}}<li>{{quantity}} × {{title}} ({{sku}})</li>{{/order.lines}}</ul>`;
const GREETING_TEXT = `Hello{{#customer.name}} {{customer.name}}{{/customer.name}},`;
const GREETING_HTML = `<p>Hello{{#customer.name}} {{customer.name}}{{/customer.name}},</p>`;
const SIGN_TEXT = `
{{store.name}}`;
const SIGN_HTML = `<p>{{store.name}}</p>`;

export const DEFAULT_TEMPLATES: Record<NotificationKind, TemplateSet> = {
  confirmed: {
    subject: 'Your order {{order.name}} is confirmed',
    text: `${GREETING_TEXT}

thank you for your order {{order.name}} ({{order.total}} {{order.currency}}):
${LINES_TEXT}
We will tell you when it ships.
${SIGN_TEXT}`,
    html: `${GREETING_HTML}<p>Thank you for your order {{order.name}} ({{order.total}} {{order.currency}}):</p>${LINES_HTML}<p>We will tell you when it ships.</p>${SIGN_HTML}`,
  },
  shipped: {
    subject: 'Your order {{order.name}} has shipped',
    text: `${GREETING_TEXT}

part of your order {{order.name}} is on its way{{#shipment.carrier}} with {{shipment.carrier}}{{/shipment.carrier}}:
{{#shipment.lines}}
- {{quantity}} × {{title}} ({{sku}})
{{/shipment.lines}}
{{#shipment.trackingNumber}}Tracking number: {{shipment.trackingNumber}}{{/shipment.trackingNumber}}
{{#shipment.trackingUrl}}Track it: {{shipment.trackingUrl}}{{/shipment.trackingUrl}}
${SIGN_TEXT}`,
    html: `${GREETING_HTML}<p>Part of your order {{order.name}} is on its way{{#shipment.carrier}} with {{shipment.carrier}}{{/shipment.carrier}}:</p><ul>{{#shipment.lines}}<li>{{quantity}} × {{title}} ({{sku}})</li>{{/shipment.lines}}</ul>{{#shipment.trackingNumber}}<p>Tracking number: {{shipment.trackingNumber}}</p>{{/shipment.trackingNumber}}{{#shipment.trackingUrl}}<p><a href="{{shipment.trackingUrl}}">Track your parcel</a></p>{{/shipment.trackingUrl}}${SIGN_HTML}`,
  },
  delayed: {
    subject: 'Your order {{order.name}} is delayed',
    text: `${GREETING_TEXT}

some items of your order {{order.name}} are not in stock yet. We will send them as soon as they arrive.
${LINES_TEXT}${SIGN_TEXT}`,
    html: `${GREETING_HTML}<p>Some items of your order {{order.name}} are not in stock yet. We will send them as soon as they arrive.</p>${LINES_HTML}${SIGN_HTML}`,
  },
  delivered: {
    subject: 'Your order {{order.name}} was delivered',
    text: `${GREETING_TEXT}

your order {{order.name}} was delivered. We hope you enjoy it.
${SIGN_TEXT}`,
    html: `${GREETING_HTML}<p>Your order {{order.name}} was delivered. We hope you enjoy it.</p>${SIGN_HTML}`,
  },
  refunded: {
    subject: 'A refund for your order {{order.name}}',
    text: `${GREETING_TEXT}

we refunded {{refund.amount}} {{refund.currency}} for your order {{order.name}}. Depending on your bank it can take a few days to show.
${SIGN_TEXT}`,
    html: `${GREETING_HTML}<p>We refunded {{refund.amount}} {{refund.currency}} for your order {{order.name}}. Depending on your bank it can take a few days to show.</p>${SIGN_HTML}`,
  },
};
