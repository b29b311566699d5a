import type { MessageTemplateEntity, TemplateComponent } from '../templates/entities/message-template.entity';
import { fill, placeholders } from '../templates/template-definition';
import { CloudApiError, invalidParam } from './cloud-api.errors';
import { parseMediaObject } from './cloud-api-request.validation';
import type { CloudApiMediaType } from './dto/cloud-api-request.schema';
import { isObject, str } from './graph-values';
import { composeText, plannedMedia, rendered, type PlannedMedia, type RenderedContent } from './planned-content';
import type { ReplyOption } from './entities/cloud-api-message.entity';

/**
 * Component types of a template send. `limited_time_offer` (the offer's expiry) is accepted
 * and not shown: the body already says what the offer is.
 */
const SEND_COMPONENTS = ['header', 'body', 'button', 'limited_time_offer'];
const countMismatch = (details: string) => new CloudApiError(132000, details);
const formatMismatch = (details: string) => new CloudApiError(132012, details);

interface SendComponent {
  type: string;
  subType?: string;
  index?: number;
  parameters: Record<string, unknown>[];
}

/**
 * Renders a template send (`template: {name, language, components}`) against the stored
 * definition. WhatsApp Web has no template messages, so the result is what the recipient
 * would read: a text (or, for a media header, the media with the text as caption) with every
 * placeholder filled; quick-reply buttons become numbered options (their payloads come back in
 * webhooks when the contact answers), URL, phone and copy-code buttons become labelled lines.
 * @throws CloudApiError 132000 (parameter count), 132012 (parameter format), 132015/132016 (paused/disabled)
 */
export function renderTemplate(template: MessageTemplateEntity, requested: unknown[]): RenderedContent {
  if (template.status === 'PAUSED') throw new CloudApiError(132015, `Template ${template.name} is paused.`);
  if (template.status === 'DISABLED') throw new CloudApiError(132016, `Template ${template.name} is disabled.`);
  const sent = requested.map(toSendComponent);
  const def = (type: TemplateComponent['type']) => template.components.find((c) => c.type === type);
  const given = (type: string) => sent.filter((c) => c.type === type).flatMap((c) => c.parameters);
  for (const c of sent) {
    if (!SEND_COMPONENTS.includes(c.type)) {
      throw invalidParam(`Param template['components'] type must be one of {${SEND_COMPONENTS.join(', ').toUpperCase()}} - got "${c.type}".`);
    }
  }

  let headerText: string | undefined;
  let headerMedia: PlannedMedia | undefined;
  const header = def('HEADER');
  const headerParams = given('header');
  if (header) {
    const format = header.format ?? 'TEXT';
    if (format === 'TEXT') {
      headerText = fill(header.text ?? '', values('header', placeholders(header.text), headerParams, ['text']));
    } else if (format === 'LOCATION') {
      const p = single('header', headerParams);
      if (p.type !== 'location' || !isObject(p.location)) throw formatMismatch('header: expected a location parameter');
      const l = p.location;
      headerText = [str(l.name), str(l.address), `https://maps.google.com/?q=${Number(l.latitude)},${Number(l.longitude)}`].filter(Boolean).join('\n');
    } else {
      const kind = format.toLowerCase() as CloudApiMediaType;
      const p = single('header', headerParams);
      if (p.type !== kind) throw formatMismatch(`header: expected a ${kind} parameter, got ${String(p.type)}`);
      headerMedia = plannedMedia(kind, parseMediaObject(kind, p[kind], `template header ${kind}`));
    }
  } else if (headerParams.length) {
    throw countMismatch(`header: number of parameters (${headerParams.length}) does not match the expected number of params (0)`);
  }

  const body = def('BODY')!;
  const bodyValues = values('body', placeholders(body.text), given('body'), ['text', 'currency', 'date_time']);
  const bodyText = fill(body.text ?? '', bodyValues);
  const firstBodyValue = placeholders(body.text).map((n) => bodyValues[n])[0];
  const footer = def('FOOTER')?.text;

  const lines: string[] = [];
  const options: ReplyOption[] = [];
  const buttons = def('BUTTONS')?.buttons ?? [];
  const buttonParams = sent.filter((c) => c.type === 'button');
  for (const c of buttonParams) {
    if (c.index === undefined || !buttons[c.index]) throw invalidParam(`Param template button index ${String(c.index)} does not match a button of the template.`);
  }
  buttons.forEach((b, i) => {
    const param = buttonParams.find((c) => c.index === i)?.parameters ?? [];
    switch (b.type) {
      case 'QUICK_REPLY': {
        const payload = param.find((p) => p.type === 'payload');
        const option: ReplyOption = { n: options.length + 1, id: str(payload?.payload) ?? b.text ?? '', title: b.text ?? '' };
        options.push(option);
        lines.push(`${option.n}. ${option.title}`);
        break;
      }
      case 'URL': {
        const names = placeholders(b.url);
        const url = fill(b.url ?? '', values(`button ${i}`, names, param, ['text']));
        lines.push(`${b.text}: ${url}`);
        break;
      }
      case 'PHONE_NUMBER':
        lines.push(`${b.text}: ${b.phone_number}`);
        break;
      case 'COPY_CODE': {
        const coupon = param.find((p) => p.type === 'coupon_code');
        if (!str(coupon?.coupon_code)) throw countMismatch(`button ${i}: a copy_code button needs a coupon_code parameter`);
        lines.push(`${b.text ?? 'Copy offer code'}: ${str(coupon!.coupon_code)}`);
        break;
      }
      case 'OTP': {
        // Authentication templates: the code comes as the button's text parameter (sub_type url), else it is the body's first value.
        const code = str(param.find((p) => p.type === 'text')?.text) ?? firstBodyValue;
        if (code) lines.push(`${b.text ?? 'Copy code'}: ${code}`);
        break;
      }
      default:
        // FLOW, CATALOG, MPM, VOICE_CALL: nothing WhatsApp Web can open; the label tells the contact what to ask for.
        if (b.text) lines.push(`${b.text}`);
        break;
    }
  });

  const text = composeText({ header: headerText, body: bodyText, footer, options: lines });
  return rendered(text, headerMedia, options.length ? { kind: 'template', options } : undefined);
}

function toSendComponent(c: unknown, i: number): SendComponent {
  if (!isObject(c)) throw invalidParam(`Param template['components'][${i}] must be an object.`);
  const type = str(c.type)?.toLowerCase() ?? '';
  if (c.parameters !== undefined && c.parameters !== null && !Array.isArray(c.parameters)) {
    throw invalidParam(`Param template['components'][${i}]['parameters'] must be an array.`);
  }
  // Meta documents `index` as a string; whatsapp-api-js sends a number.
  const index = c.index === undefined || c.index === null ? undefined : Number(c.index);
  return {
    type,
    subType: str(c.sub_type)?.toLowerCase(),
    index: Number.isInteger(index) ? index : undefined,
    parameters: ((c.parameters as unknown[] | undefined) ?? []).map((p, j) => {
      if (!isObject(p)) throw invalidParam(`Param template['components'][${i}]['parameters'][${j}] must be an object.`);
      return p;
    }),
  };
}

/** Values of a component's placeholders from its parameters (positional, or by parameter_name). */
function values(where: string, names: string[], params: Record<string, unknown>[], allowed: string[]): Record<string, string> {
  if (params.length !== names.length) {
    throw countMismatch(`${where}: number of localizable_params (${params.length}) does not match the expected number of params (${names.length})`);
  }
  const out: Record<string, string> = {};
  params.forEach((p, i) => {
    const type = str(p.type);
    if (!type || !allowed.includes(type)) throw formatMismatch(`${where}: parameter ${i + 1} has type ${String(p.type)}; expected ${allowed.join(' or ')}`);
    const value = textOf(type, p);
    if (value === undefined) throw formatMismatch(`${where}: parameter ${i + 1} of type ${type} has no value`);
    const named = str(p.parameter_name);
    const name = named ?? names[i];
    if (named && !names.includes(named)) throw formatMismatch(`${where}: the template has no parameter named ${named}`);
    out[name] = value;
  });
  for (const name of names) if (out[name] === undefined) throw countMismatch(`${where}: no value for parameter ${name}`);
  return out;
}

function textOf(type: string, p: Record<string, unknown>): string | undefined {
  if (type === 'text') return typeof p.text === 'string' ? p.text : str(p.text);
  const o = p[type];
  return isObject(o) ? str(o.fallback_value) : undefined;
}

function single(where: string, params: Record<string, unknown>[]): Record<string, unknown> {
  if (params.length !== 1) throw countMismatch(`${where}: number of parameters (${params.length}) does not match the expected number of params (1)`);
  return params[0];
}
