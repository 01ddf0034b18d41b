// A partner client in Node.js, written from docs/integration.md alone (avsc, kafkajs, node:crypto).
//
//   node client.mjs vecteurs <docs/vecteurs> <schemas>   check the published test vectors
//   node client.mjs envoyer                               send one signed message, wait for its receipt
//
// `envoyer` reads: AMBITION_BOOTSTRAP, AMBITION_API_URL, AMBITION_TOKEN, AMBITION_PARTNER,
// AMBITION_PRIVATE_KEY (raw 32-byte Ed25519 seed, base64), AMBITION_SCHEMA (.avsc file),
// AMBITION_TOPIC, AMBITION_SUBJECT (the parcours key), AMBITION_FIELDS (JSON: the event's own
// fields; dates as days since 1970-01-01). Prints the receipt (JSON) and exits 0 if accepted.
import { createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';

// --- section 3: Parsing Canonical Form and CRC-64-AVRO -------------------------------------
const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp;
});

export function canonicalForm(schema) {
  return JSON.stringify(avro.Type.forSchema(schema).schema()); // avsc's schema() is the PCF
}

export function fingerprintBytes(canonical) {
  let fp = EMPTY;
  for (const b of Buffer.from(canonical, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)];
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp); // the bytes as they appear in a message: little-endian
  return out;
}

export function encode(schema, record) {
  const body = avro.Type.forSchema(schema).toBuffer(record);
  return Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintBytes(canonicalForm(schema)), body]);
}

// --- section 4.1: the signature ------------------------------------------------------------
const SIGNED = ['ambition-partner', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'ce_specversion', 'content-type'];
const len32 = (b) => { const l = Buffer.alloc(4); l.writeUInt32BE(b.length); return l; };

export function signedBytes(value, headers) {
  const parts = [Buffer.from('ambition-signature-v1', 'ascii')];
  for (const name of SIGNED) {
    const found = headers.filter(([n]) => n === name);
    if (found.length !== 1) throw new Error(`header ${name} must occur once`);
    const n = Buffer.from(name, 'utf8');
    parts.push(len32(n), n, len32(found[0][1]), found[0][1]);
  }
  parts.push(len32(value), value);
  return Buffer.concat(parts);
}

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const privateKey = (seedB64) => createPrivateKey({
  key: Buffer.concat([PKCS8_ED25519, Buffer.from(seedB64, 'base64')]), format: 'der', type: 'pkcs8' });
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const publicKey = (rawB64) => createPublicKey({
  key: Buffer.concat([SPKI_ED25519, Buffer.from(rawB64, 'base64')]), format: 'der', type: 'spki' });

// --- section 4: envelope and headers ---------------------------------------------------------
export function buildMessage({ schema, partner, seed, subject, fields, eventId, time }) {
  const fullname = `${schema.namespace}.${schema.name}`;
  const envelope = { event_id: eventId, source: partner, type: fullname, time: time.getTime(), subject };
  const value = encode(schema, { envelope, ...fields });
  const utf8 = (s) => Buffer.from(s, 'utf8');
  const headers = [['ambition-partner', utf8(partner)], ['ce_id', utf8(eventId)], ['ce_source', utf8(partner)],
    ['ce_type', utf8(fullname)], ['ce_time', utf8(time.toISOString())], ['ce_specversion', utf8('1.0')],
    ['content-type', utf8('application/avro')]];
  const signature = sign(null, signedBytes(value, headers), privateKey(seed));
  headers.push(['ambition-signature', utf8(signature.toString('base64'))]);
  return { key: utf8(subject), value, headers };
}

// --- the test vectors ------------------------------------------------------------------------
function fromVectorRecord(v) { // dates and instants are given with their wire numbers
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if ('date' in v && 'iso' in v) return v.date;
    if ('timestamp-millis' in v) return v['timestamp-millis'];
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromVectorRecord(x)]));
  }
  return v;
}

function schemaFiles(dir) {
  const out = {};
  for (const area of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, area))) {
      const s = JSON.parse(readFileSync(join(dir, area, f), 'utf8'));
      out[`schemas/${area}/${f}`] = s;
    }
  }
  return out;
}

function checkVectors(vdir, sdir) {
  const problems = [];
  const files = schemaFiles(sdir);
  const schemas = JSON.parse(readFileSync(join(vdir, 'schemas.json'), 'utf8'));
  for (const s of schemas) {
    const pcf = canonicalForm(files[s.fichier]);
    const fp = fingerprintBytes(pcf);
    if (pcf !== s.forme_canonique) problems.push(`${s.fichier}: canonical form differs`);
    if (fp.toString('hex') !== s.empreinte_octets) problems.push(`${s.fichier}: fingerprint bytes differ`);
    if (fp.readBigUInt64LE().toString(16).padStart(16, '0') !== s.empreinte_long) problems.push(`${s.fichier}: long differs`);
  }
  const partners = Object.fromEntries(JSON.parse(readFileSync(join(vdir, 'partenaires.json'), 'utf8')).map((p) => [p.id, p]));
  const mdir = join(vdir, 'messages');
  let checked = 0;
  for (const f of readdirSync(mdir)) {
    const m = JSON.parse(readFileSync(join(mdir, f), 'utf8'));
    const headers = m.headers.map(([n, v]) => [n, Buffer.from(v, 'base64')]);
    const value = Buffer.from(m.value, 'base64');
    const unsigned = headers.filter(([n]) => n !== 'ambition-signature');
    const sig = Buffer.from(headers.find(([n]) => n === 'ambition-signature')[1].toString(), 'base64');
    if (!verify(null, Buffer.from(m.octets_signes_hex, 'hex'), publicKey(partners[m.partenaire].public_key), sig)) {
      problems.push(`${f}: the signature does not verify the stated signed bytes`);
    }
    if (m.verdict_attendu.statut === 'accepte') { // rebuild the whole message from its record
      const type = m.enregistrement.envelope.type;
      const [ns, name] = [type.slice(0, type.lastIndexOf('.')), type.slice(type.lastIndexOf('.') + 1)];
      const schema = Object.values(files).find((s) => s.namespace === ns && s.name === name);
      const rec = fromVectorRecord(m.enregistrement);
      const { envelope, ...fields } = rec;
      const built = buildMessage({ schema, partner: m.partenaire, seed: partners[m.partenaire].private_key_test_only,
        subject: envelope.subject, fields, eventId: envelope.event_id, time: new Date(envelope.time) });
      if (built.value.toString('hex') !== m.value_hex) problems.push(`${f}: value differs`);
      if (signedBytes(built.value, unsigned).toString('hex') !== m.octets_signes_hex) problems.push(`${f}: signed bytes differ`);
      const mine = built.headers.map(([n, v]) => [n, v.toString('base64')]);
      if (JSON.stringify(mine) !== JSON.stringify(m.headers)) problems.push(`${f}: headers differ`);
      checked++;
    }
  }
  return { problems, schemas: schemas.length, rebuilt: checked };
}

// --- send, then read the receipt (sections 7 and 10) ---------------------------------------------
async function send(env) {
  const schema = JSON.parse(readFileSync(env.AMBITION_SCHEMA, 'utf8'));
  const eventId = randomUUID();
  const msg = buildMessage({ schema, partner: env.AMBITION_PARTNER, seed: env.AMBITION_PRIVATE_KEY,
    subject: env.AMBITION_SUBJECT, fields: JSON.parse(env.AMBITION_FIELDS), eventId, time: new Date() });
  const kafka = new Kafka({ clientId: 'node-client', brokers: env.AMBITION_BOOTSTRAP.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: env.AMBITION_TOPIC, acks: -1, messages: [{ key: msg.key, value: msg.value,
    headers: Object.fromEntries(msg.headers) }] });
  await producer.disconnect();
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const r = await fetch(`${env.AMBITION_API_URL}/v1/partenaires/moi/accuses?depuis=0&limite=5000`,
      { headers: { Authorization: `Bearer ${env.AMBITION_TOKEN}` } });
    const mine = (await r.json()).accuses.filter((a) => a.event_id === eventId);
    if (mine.length) {
      console.log(JSON.stringify(mine[mine.length - 1]));
      return mine[mine.length - 1].statut === 'accepte' ? 0 : 1;
    }
    await new Promise((ok) => setTimeout(ok, 300));
  }
  console.log(JSON.stringify({ event_id: eventId, statut: 'aucun accusé' }));
  return 2;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'vecteurs') {
  const r = checkVectors(args[0], args[1]);
  console.log(JSON.stringify(r));
  process.exit(r.problems.length ? 1 : 0);
} else if (mode === 'envoyer') {
  process.exit(await send(process.env));
} else {
  console.error('usage: node client.mjs vecteurs <docs/vecteurs> <schemas> | envoyer');
  process.exit(2);
}
