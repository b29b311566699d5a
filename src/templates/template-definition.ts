import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-codes';
import type { TemplateButton, TemplateButtonType, TemplateComponent } from './entities/message-template.entity';
import type { TemplateParameters } from './dto/template.dto';

export const BUTTON_TYPES: TemplateButtonType[] = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP', 'FLOW', 'CATALOG', 'MPM', 'VOICE_CALL'];
const BUTTON_FIELDS = ['text', 'url', 'phone_number', 'otp_type', 'flow_id', 'flow_name', 'flow_action', 'navigate_screen', 'example'] as const;
const SECURITY_RECOMMENDATION = 'For your security, do not share this code.';

/** Whether a template's placeholders are named (`{{first_name}}`): Meta's `parameter_format` NAMED, else POSITIONAL. */
export function parameterFormatOf(components: TemplateComponent[]): 'NAMED' | 'POSITIONAL' {
  const names = components.flatMap((c) => [...placeholders(c.text), ...(c.buttons ?? []).flatMap((b) => placeholders(b.url))]);
  return names.some((n) => !/^\d+$/.test(n)) ? 'NAMED' : 'POSITIONAL';
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The placeholder names of a text in order of appearance (`{{1}}` → "1", `{{name}}` → "name"). */
export function placeholders(text: string | undefined): string[] {
  return text ? [...text.matchAll(PLACEHOLDER)].map((m) => m[1]) : [];
}

/** Replaces each placeholder with its value (values must cover every placeholder). */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
}

export function parametersOf(components: TemplateComponent[]): TemplateParameters {
  const header = components.find((c) => c.type === 'HEADER');
  const body = components.find((c) => c.type === 'BODY');
  const buttons = components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
  return {
    header: header && (header.format ?? 'TEXT') === 'TEXT' ? placeholders(header.text) : [],
    body: placeholders(body?.text),
    buttons: buttons.map((b) => (b.type === 'URL' ? placeholders(b.url) : [])),
  };
}

/**
 * Checks a template definition the way Meta reviews its structure: one BODY; at most one
 * HEADER, FOOTER and BUTTONS; placeholders numbered {{1}}…{{n}} in order or all named;
 * buttons complete. Returns the components normalised (header format defaults to TEXT).
 * @throws AppError VALIDATION_FAILED naming the component
 */
export function validateDefinition(input: TemplateComponent[], category?: string): TemplateComponent[] {
  const authentication = category === 'AUTHENTICATION';
  const problems: { field: string; messages: string[] }[] = [];
  const bad = (field: string, message: string) => problems.push({ field, messages: [message] });
  const seen = new Set<string>();
  const components = input.map((c, i) => {
    const field = `components[${i}]`;
    if (seen.has(c.type)) bad(field, `only one ${c.type} component is allowed`);
    seen.add(c.type);
    const out: TemplateComponent = { type: c.type };
    switch (c.type) {
      case 'HEADER': {
        out.format = c.format ?? 'TEXT';
        if (out.format === 'TEXT') {
          if (!c.text) bad(`${field}.text`, 'a TEXT header needs text');
          else if (c.text.length > 60) bad(`${field}.text`, 'a header text is at most 60 characters');
          else if (placeholders(c.text).length > 1) bad(`${field}.text`, 'a header has at most one placeholder');
          out.text = c.text;
        } else if (c.text) {
          bad(`${field}.text`, `a ${out.format} header has no text`);
        }
        break;
      }
      case 'BODY':
        if (authentication && !c.text) {
          // Meta writes the text of authentication templates itself.
          out.text = `*{{1}}* is your verification code.${c.add_security_recommendation ? ` ${SECURITY_RECOMMENDATION}` : ''}`;
          if (c.add_security_recommendation) out.add_security_recommendation = true;
          break;
        }
        if (!c.text) bad(`${field}.text`, 'the BODY needs text');
        out.text = c.text;
        break;
      case 'FOOTER':
        if (authentication && !c.text && c.code_expiration_minutes !== undefined) {
          const minutes = Number(c.code_expiration_minutes);
          if (!Number.isInteger(minutes) || minutes < 1 || minutes > 90) bad(`${field}.code_expiration_minutes`, 'code_expiration_minutes is 1 to 90');
          out.text = `This code expires in ${minutes} minutes.`;
          out.code_expiration_minutes = minutes;
          break;
        }
        if (!c.text) bad(`${field}.text`, 'a FOOTER needs text');
        else if (c.text.length > 60) bad(`${field}.text`, 'a footer is at most 60 characters');
        else if (placeholders(c.text).length) bad(`${field}.text`, 'a footer has no placeholders');
        out.text = c.text;
        break;
      case 'BUTTONS':
        if (!c.buttons?.length) bad(`${field}.buttons`, 'BUTTONS needs 1 to 10 buttons');
        out.buttons = (c.buttons ?? []).map((b, j) => {
          const bf = `${field}.buttons[${j}]`;
          if (!BUTTON_TYPES.includes(b.type)) bad(`${bf}.type`, `a button type is one of ${BUTTON_TYPES.join(', ')}`);
          if (!['COPY_CODE', 'OTP', 'CATALOG', 'MPM'].includes(b.type) && !b.text) bad(`${bf}.text`, `a ${b.type} button needs text`);
          if (b.type === 'URL') {
            if (!b.url || !/^https?:\/\/\S+$/.test(b.url)) bad(`${bf}.url`, 'a URL button needs an http(s) url');
            else if (placeholders(b.url).length > 1 || (placeholders(b.url).length === 1 && !/\{\{\s*[A-Za-z0-9_]+\s*\}\}$/.test(b.url))) {
              bad(`${bf}.url`, 'a URL button has at most one placeholder, at the end of the url');
            }
          }
          if (b.type === 'PHONE_NUMBER' && !b.phone_number) bad(`${bf}.phone_number`, 'a PHONE_NUMBER button needs phone_number');
          const kept = Object.fromEntries(BUTTON_FIELDS.filter((k) => b[k] !== undefined && b[k] !== null && b[k] !== '').map((k) => [k, b[k]]));
          if (b.type === 'OTP' && !kept.text) kept.text = b.otp_type === 'ONE_TAP' ? 'Autofill' : 'Copy code';
          return { type: b.type, ...kept } as TemplateButton;
        });
        break;
    }
    if (c.example !== undefined && c.example !== null && typeof c.example === 'object') out.example = c.example;
    for (const text of [out.text, ...(out.buttons ?? []).map((b) => b.url)]) {
      const names = placeholders(text);
      const numeric = names.filter((n) => /^\d+$/.test(n));
      if (numeric.length && numeric.length !== names.length) bad(field, 'placeholders are either all numbered ({{1}}) or all named ({{first_name}})');
      else if (numeric.length && numeric.some((n, k) => Number(n) !== k + 1)) bad(field, 'numbered placeholders go {{1}}, {{2}}, … in order');
      else if (names.some((n) => !/^[a-z][a-z0-9_]*$/.test(n) && !/^\d+$/.test(n))) bad(field, 'named placeholders are lowercase letters, digits and underscores');
    }
    return out;
  });
  if (!seen.has('BODY')) bad('components', 'a template needs a BODY component');
  if (problems.length) {
    const summary = problems.map((p) => `${p.field}: ${p.messages.join(', ')}`).join('; ');
    throw new AppError(ErrorCode.VALIDATION_FAILED, `Validation failed: ${summary}`, { fields: problems });
  }
  const order = ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'];
  return components.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}
