import assert from 'node:assert/strict';
import { describe, it } from '../../support/node-test';
import { fieldMessages, presetOf, settingsForm, settingsPatch } from '../../../web/src/lib/people';

describe('dashboard: contacts, groups and session settings helpers', () => {
  it('reads the API field errors as one message per top-level field', () => {
    assert.deepEqual(
      fieldMessages({ fields: [{ field: 'dailyLimit', messages: ['dailyLimit must not be less than 1'] }, { field: 'minDelayMs', messages: ['a', 'b'] }] }),
      { dailyLimit: 'dailyLimit must not be less than 1', minDelayMs: 'a b' },
    );
    assert.deepEqual(fieldMessages({ fields: [{ field: 'settings.workspace', messages: [] }] }), { settings: 'Not valid.' });
    assert.deepEqual(fieldMessages(null), {});
    assert.deepEqual(fieldMessages({ fields: 'nope' }), {});
  });

  it('names the preset of a stored pause range', () => {
    assert.equal(presetOf(8000, 22000), 'careful');
    assert.equal(presetOf(2000, 5000), 'standard');
    assert.equal(presetOf(0, 0), 'off');
    assert.equal(presetOf(1000, 5000), 'custom');
  });

  it('turns the form into the settings body: a preset or both delays, an empty cap is unlimited, a non-number is sent as typed', () => {
    const form = settingsForm({ minDelayMs: 8000, maxDelayMs: 22000, dailyLimit: null, rejectCalls: true, rejectMessage: 'No calls', requireOptIn: false, optInMode: 'hold', workspace: 'support' });
    assert.equal(form.preset, 'careful');
    assert.deepEqual(settingsPatch(form), {
      preset: 'careful',
      dailyLimit: null,
      rejectCalls: true,
      rejectMessage: 'No calls',
      requireOptIn: false,
      optInMode: 'hold',
      workspace: 'support',
    });
    const custom = { ...form, preset: 'custom' as const, minDelayMs: '1000', maxDelayMs: '3000', dailyLimit: '0', rejectMessage: ' ', workspace: '', optInPrompt: 'Hi?' };
    assert.deepEqual(settingsPatch(custom), {
      minDelayMs: 1000,
      maxDelayMs: 3000,
      dailyLimit: 0,
      rejectCalls: true,
      rejectMessage: null,
      requireOptIn: false,
      optInMode: 'hold',
      optInPrompt: 'Hi?',
      workspace: null,
    });
    assert.equal(settingsPatch({ ...custom, dailyLimit: '1.5' }).dailyLimit, '1.5');
  });
});
