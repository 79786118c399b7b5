/**
 * EPC URIs (`urn:epc:id:…`, `urn:epc:class:lgtin:…`, `urn:epc:idpat:…`) to
 * constrained canonical GS1 Digital Link URIs, as the CBV 2.0 event hash
 * needs them: `https://id.gs1.org`, no query string, only the most
 * fine-grained identification level. The conversions follow GS1's Tag Data
 * Standard (company prefix and reference split by the URI's first dot, the
 * indicator or extension digit moved to the front, the check digit computed).
 */
import { checkDigit } from './identifiers';

/** Characters a Digital Link path segment must percent-encode that an EPC URI may carry. */
function dlEncode(s: string): string {
  return s.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const withCheck = (body: string) => body + checkDigit(body);

type Converter = (parts: string[]) => string | undefined;

/** Company prefix + reference whose digits together have `total` digits, or undefined. */
const digits = (cp: string, ref: string, total: number) =>
  /^\d+$/.test(cp) && /^\d*$/.test(ref) && cp.length + ref.length === total && cp.length >= 6 ? true : undefined;

const gtinOf = (cp: string, itemRef: string) => (digits(cp, itemRef, 13) ? withCheck(itemRef[0] + cp + itemRef.slice(1)) : undefined);

const CONVERTERS: Record<string, Converter> = {
  'id:sgtin': ([cp, ref, ...s]) => (s.length > 0 && gtinOf(cp, ref) ? `01/${gtinOf(cp, ref)}/21/${dlEncode(s.join('.'))}` : undefined),
  'id:sscc': ([cp, ref]) => (ref && digits(cp, ref, 17) ? `00/${withCheck(ref[0] + cp + ref.slice(1))}` : undefined),
  'id:sgln': ([cp, ref, ...e]) => {
    const ext = e.join('.');
    if (e.length === 0 || !digits(cp, ref, 12)) return undefined;
    return ext === '0' ? `414/${withCheck(cp + ref)}` : `414/${withCheck(cp + ref)}/254/${dlEncode(ext)}`;
  },
  'id:pgln': ([cp, ref]) => (digits(cp, ref ?? '', 12) ? `417/${withCheck(cp + ref)}` : undefined),
  'id:grai': ([cp, ref, ...s]) => (s.length > 0 && digits(cp, ref, 12) ? `8003/0${withCheck(cp + ref)}${dlEncode(s.join('.'))}` : undefined),
  'id:giai': ([cp, ...rest]) => (rest.length > 0 && /^\d{6,12}$/.test(cp) ? `8004/${cp}${dlEncode(rest.join('.'))}` : undefined),
  'id:gsrn': ([cp, ref]) => (ref && digits(cp, ref, 17) ? `8018/${withCheck(cp + ref)}` : undefined),
  'id:gsrnp': ([cp, ref]) => (ref && digits(cp, ref, 17) ? `8017/${withCheck(cp + ref)}` : undefined),
  'id:gdti': ([cp, ref, ...s]) => (s.length > 0 && digits(cp, ref, 12) ? `253/${withCheck(cp + ref)}${dlEncode(s.join('.'))}` : undefined),
  'id:sgcn': ([cp, ref, serial]) => (serial !== undefined && digits(cp, ref, 12) ? `255/${withCheck(cp + ref)}${serial}` : undefined),
  'id:ginc': ([cp, ...rest]) => (rest.length > 0 && /^\d{6,12}$/.test(cp) ? `401/${cp}${dlEncode(rest.join('.'))}` : undefined),
  'id:gsin': ([cp, ref]) => (ref && digits(cp, ref, 16) ? `402/${withCheck(cp + ref)}` : undefined),
  'id:upui': ([cp, ref, ...rest]) => (rest.length > 0 && gtinOf(cp, ref) ? `01/${gtinOf(cp, ref)}/235/${dlEncode(rest.join('.'))}` : undefined),
  'id:cpi': ([cp, ref, serial]) => (serial !== undefined && /^\d{6,12}$/.test(cp) ? `8010/${dlEncode(cp + ref)}/8011/${serial}` : undefined),
  'id:itip': ([cp, ref, piece, total, serial]) =>
    serial !== undefined && gtinOf(cp, ref) ? `8006/${gtinOf(cp, ref)}${piece}${total}/21/${dlEncode(serial)}` : undefined,
  'class:lgtin': ([cp, ref, ...lot]) => (lot.length > 0 && gtinOf(cp, ref) ? `01/${gtinOf(cp, ref)}/10/${dlEncode(lot.join('.'))}` : undefined),
  'idpat:sgtin': ([cp, ref, star]) => (star === '*' && gtinOf(cp, ref) ? `01/${gtinOf(cp, ref)}` : undefined),
  'idpat:grai': ([cp, ref, star]) => (star === '*' && digits(cp, ref, 12) ? `8003/0${withCheck(cp + ref)}` : undefined),
  'idpat:gdti': ([cp, ref, star]) => (star === '*' && digits(cp, ref, 12) ? `253/${withCheck(cp + ref)}` : undefined),
  'idpat:sgcn': ([cp, ref, star]) => (star === '*' && digits(cp, ref, 12) ? `255/${withCheck(cp + ref)}` : undefined),
  'idpat:cpi': ([cp, ref, star]) => (star === '*' && /^\d{6,12}$/.test(cp) ? `8010/${dlEncode(cp + ref)}` : undefined),
  'idpat:itip': ([cp, ref, piece, total, star]) => (star === '*' && gtinOf(cp, ref) ? `8006/${gtinOf(cp, ref)}${piece}${total}` : undefined),
  'idpat:upui': ([cp, ref, star]) => (star === '*' && gtinOf(cp, ref) ? `01/${gtinOf(cp, ref)}` : undefined),
};

/** Primary keys and the qualifiers kept with them (the finest level only). */
const QUALIFIERS: Record<string, string[]> = { '01': ['21', '10', '235'], '414': ['254'], '8006': ['21', '10'], '8010': ['8011'] };
const PRIMARY = new Set(['00', '01', '253', '255', '401', '402', '414', '417', '8003', '8004', '8006', '8010', '8017', '8018']);

/** Digital Link's short names of application identifiers (`/gtin/…` stands for `/01/…`). */
const ALIASES: Record<string, string> = {
  sscc: '00',
  gtin: '01',
  lot: '10',
  ser: '21',
  cpv: '22',
  upui: '235',
  gdti: '253',
  exten: '254',
  gcn: '255',
  ginc: '401',
  gsin: '402',
  gln: '414',
  party: '417',
  grai: '8003',
  giai: '8004',
  itip: '8006',
  cpid: '8010',
  cpsn: '8011',
  gsrnp: '8017',
  gsrn: '8018',
};

/** A Digital Link URI (any domain) constrained to its canonical form, or undefined when it carries no GS1 primary key. */
function constrainDigitalLink(uri: string): string | undefined {
  const m = /^https?:\/\/[^/?#]+((?:\/[^?#]*)?)(?:[?#].*)?$/.exec(uri);
  if (!m) return undefined;
  const segs = m[1]
    .split('/')
    .filter((s) => s !== '')
    .map((s, i, all) => (i + 1 < all.length || !ALIASES[s] ? (ALIASES[s] ?? s) : s));
  for (let i = 0; i + 1 < segs.length; i++) {
    if (!PRIMARY.has(segs[i])) continue;
    const pairs = new Map<string, string>();
    for (let j = i + 2; j + 1 < segs.length; j += 2) pairs.set(segs[j], segs[j + 1]);
    let key = segs[i];
    if (key === '01' && segs[i + 1].length < 14) segs[i + 1] = segs[i + 1].padStart(14, '0');
    const q = (QUALIFIERS[key] ?? []).find((a) => pairs.has(a));
    key = `${key}/${segs[i + 1]}`;
    return `https://id.gs1.org/${key}${q ? `/${q}/${pairs.get(q)}` : ''}`;
  }
  return undefined;
}

/**
 * The constrained canonical Digital Link form of a GS1 identifier URI (EPC
 * URI, EPC class, EPC pattern or Digital Link); undefined for anything else.
 */
export function toCanonicalDigitalLink(uri: string): string | undefined {
  // A document names the same locations and lots over and over: converted ones are remembered.
  const known = converted.get(uri);
  if (known !== undefined || converted.has(uri)) return known;
  const dl = canonicalOf(uri);
  if (converted.size >= CONVERTED_MAX) converted.clear();
  converted.set(uri, dl);
  return dl;
}

/** Identifiers already converted (a bounded memo: emptied when full). */
const converted = new Map<string, string | undefined>();
const CONVERTED_MAX = 10_000;

/** The conversion itself (see toCanonicalDigitalLink). */
function canonicalOf(uri: string): string | undefined {
  const urn = /^urn:epc:(id|class|idpat):([a-z]+):(.+)$/.exec(uri);
  if (urn) {
    const convert = CONVERTERS[`${urn[1]}:${urn[2]}`];
    const path = convert?.(urn[3].split('.'));
    return path ? `https://id.gs1.org/${path}` : undefined;
  }
  return uri.startsWith('http://') || uri.startsWith('https://') ? constrainDigitalLink(uri) : undefined;
}
