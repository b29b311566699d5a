import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageTemplateEntity, TemplateComponent } from '../templates/entities/message-template.entity';
import { validateDefinition } from '../templates/template-definition';
import { CloudApiError } from './cloud-api.errors';
import { renderTemplate } from './template-renderer';

const template = (components: TemplateComponent[], status: MessageTemplateEntity['status'] = 'APPROVED') =>
  ({ name: 'order_update', language: 'en_US', status, components: validateDefinition(components) }) as MessageTemplateEntity;

const orderUpdate = template([
  { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
  { type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships on {{3}}.' },
  { type: 'FOOTER', text: 'Reply STOP to opt out' },
  {
    type: 'BUTTONS',
    buttons: [
      { type: 'QUICK_REPLY', text: 'Stop promotions' },
      { type: 'URL', text: 'Track', url: 'https://example.com/t/{{1}}' },
      { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550100000' },
    ],
  },
]);

/** Asserts `render` fails with Meta's `code`. */
const refuses = (render: () => unknown, code: number) => assert.throws(render, (err) => err instanceof CloudApiError && err.metaCode === code);

describe('renderTemplate', () => {
  it('fills header, body (text, currency, date_time) and URL button; quick replies become options with payloads', () => {
    const out = renderTemplate(orderUpdate, [
      { type: 'header', parameters: [{ type: 'text', text: '#42' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Alice' },
          { type: 'currency', currency: { fallback_value: '$10.99', code: 'USD', amount_1000: 10990 } },
          { type: 'date_time', date_time: { fallback_value: 'May 1, 2026' } },
        ],
      },
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'STOP' }] },
      { type: 'button', sub_type: 'url', index: 1, parameters: [{ type: 'text', text: '42' }] },
    ]);
    assert.equal(
      out.text,
      '*Order #42*\nHi Alice, your order $10.99 ships on May 1, 2026.\n\n_Reply STOP to opt out_\n\n1. Stop promotions\nTrack: https://example.com/t/42\nCall us: +15550100000',
    );
    assert.deepEqual(out.replyOptions, { kind: 'template', options: [{ n: 1, id: 'STOP', title: 'Stop promotions' }] });
  });

  it('takes named parameters by parameter_name', () => {
    const named = template([{ type: 'BODY', text: 'Hello {{first_name}}, code {{code}}' }]);
    const out = renderTemplate(named, [
      { type: 'body', parameters: [{ type: 'text', parameter_name: 'code', text: '1234' }, { type: 'text', parameter_name: 'first_name', text: 'Bob' }] },
    ]);
    assert.equal(out.text, 'Hello Bob, code 1234');
  });

  it('sends a media header as captioned media', () => {
    const withImage = template([{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'Your receipt' }]);
    const out = renderTemplate(withImage, [{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/h.png' } }] }]);
    assert.deepEqual(out.media, { type: 'image', media: { link: 'https://example.com/h.png' }, caption: 'Your receipt' });
  });

  it("answers Meta's template errors", () => {
    refuses(() => renderTemplate(orderUpdate, [{ type: 'body', parameters: [{ type: 'text', text: 'x' }] }]), 132000);
    const bodyOnly = template([{ type: 'BODY', text: 'Hi {{1}}' }]);
    refuses(() => renderTemplate(bodyOnly, [{ type: 'body', parameters: [{ type: 'image', image: { link: 'https://x/y.png' } }] }]), 132012);
    refuses(() => renderTemplate(template([{ type: 'BODY', text: 'x' }], 'PAUSED'), []), 132015);
    refuses(() => renderTemplate(template([{ type: 'BODY', text: 'x' }], 'DISABLED'), []), 132016);
    const withImage = template([{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'x' }]);
    refuses(() => renderTemplate(withImage, [{ type: 'header', parameters: [{ type: 'image', image: { link: 'ftp://x/y.png' } }] }]), 131009);
  });

  it('refuses template definitions Meta would refuse', () => {
    assert.throws(() => validateDefinition([{ type: 'HEADER', format: 'TEXT', text: 'x' }]), /needs a BODY/);
    assert.throws(() => validateDefinition([{ type: 'BODY', text: 'Hi {{2}}' }]), /in order/);
    assert.throws(() => validateDefinition([{ type: 'BODY', text: 'Hi {{1}} {{name}}' }]), /all numbered/);
    assert.throws(() => validateDefinition([{ type: 'BODY', text: 'x' }, { type: 'FOOTER', text: '{{1}}' }]), /no placeholders/);
  });
});
