// A partner client in Node.js, written from docs/integration.md and docs/contrats.md alone
// (avsc, kafkajs, @hpke/core, node:crypto).
//
//   node client.mjs vecteurs <docs/vecteurs> <schemas>   check the published test vectors
//   node client.mjs envoyer                               send one signed fact, wait for its receipt
//   node client.mjs inscrire                              enrol an élève (identity sealed), same
//
// Both read: AMBITION_BOOTSTRAP, AMBITION_API_URL, AMBITION_TOKEN, AMBITION_PARTNER,
// AMBITION_PRIVATE_KEY (raw 32-byte Ed25519 seed, base64), AMBITION_SCHEMA (.avsc file),
// AMBITION_TOPIC, AMBITION_FIELDS (JSON: the event's own fields; dates as days since 1970-01-01).
// `envoyer` also reads AMBITION_SUBJECT (parcours:<reference> or a sealed subject), or AMBITION_INE
// (the client seals it to the platform's public key). `inscrire`
// reads AMBITION_IDENTITE (JSON: ine, nom, prenom, date_naissance YYYY-MM-DD,
// accompagnement_handicap) and seals it to the platform's public key (GET /v1/cle-publique, or
// AMBITION_IDENTITY_PUBLIC_KEY); for tests of refusals, AMBITION_SEAL_IDENTITE_TO (another public
// key for the `identite` field) and AMBITION_SEAL_INFO_PARTNER (another partner id in `info`).
// Prints the receipt (JSON) and exits 0 if accepted.
import { createHash, createHmac, createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
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

// --- section 5 and docs/contrats.md "Sealed identity": HPKE (RFC 9180) ----------------------------
const SUITE = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
const info = (partner) => Buffer.from(`ambition-identite-v1|${partner}`, 'utf8');

export async function seal(publicKeyB64, plaintext, partner) { // base mode, single shot, empty aad
  const recipientPublicKey = await SUITE.kem.importKey('raw', Buffer.from(publicKeyB64, 'base64'), true);
  const { enc, ct } = await SUITE.seal({ recipientPublicKey, info: info(partner) }, plaintext);
  return Buffer.concat([Buffer.from(enc), Buffer.from(ct)]); // enc (32 bytes) || ciphertext
}

export async function open(privateKeyB64, sealed, partner) {
  const recipientKey = await SUITE.kem.importKey('raw', Buffer.from(privateKeyB64, 'base64'), false);
  return Buffer.from(await SUITE.open({ recipientKey, enc: sealed.subarray(0, 32), info: info(partner) },
    sealed.subarray(32)));
}

// The partner's own stable pseudonym of an élève (any stable per-élève value works; this is the
// derivation docs/contrats.md gives): HMAC-SHA256(SHA-256("ambition-pseudonyme-v1" || seed), INE).
export function pseudonym(seedB64, ine) {
  const key = createHash('sha256').update('ambition-pseudonyme-v1').update(Buffer.from(seedB64, 'base64')).digest();
  return createHmac('sha256', key).update(ine, 'utf8').digest('hex').slice(0, 32);
}

export async function sealedSubject(publicKeyB64, ine, partner, pseudo) {
  return `hpke1.${pseudo}.${(await seal(publicKeyB64, Buffer.from(ine, 'utf8'), partner)).toString('base64url')}`;
}

export function identityJson({ ine, nom, prenom, date_naissance, accompagnement_handicap }) {
  return Buffer.from(JSON.stringify({ ine, nom, prenom, date_naissance, accompagnement_handicap }), 'utf8');
}

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
  // Kafka key: the pseudonym of a sealed subject, the reference itself otherwise (section 5)
  const key = subject.startsWith('hpke1.') ? subject.split('.')[1] : subject;
  return { key: utf8(key), value, headers };
}

// --- the test vectors ------------------------------------------------------------------------
function fromVectorRecord(v) { // dates and instants are given with their wire numbers
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if ('date' in v && 'iso' in v) return v.date;
    if ('timestamp-millis' in v) return v['timestamp-millis'];
    if ('bytes_hex' in v) return Buffer.from(v.bytes_hex, 'hex');
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

const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const x25519Public = (privateB64) => Buffer.from(createPublicKey(createPrivateKey({
  key: Buffer.concat([PKCS8_X25519, Buffer.from(privateB64, 'base64')]), format: 'der', type: 'pkcs8' }))
  .export({ format: 'jwk' }).x, 'base64url').toString('base64');

// identite.json: the sealed-identity known answers of docs/contrats.md
async function checkSealedIdentity(vdir) {
  const problems = [];
  const v = JSON.parse(readFileSync(join(vdir, 'identite.json'), 'utf8'));
  const { mode, kem_id: kem, kdf_id: kdf, aead_id: aead } = v.suite;
  if (JSON.stringify([mode, kem, kdf, aead]) !== JSON.stringify([0, SUITE.kem.id, SUITE.kdf.id, SUITE.aead.id])) {
    problems.push(`identite.json: suite ${[mode, kem, kdf, aead]} is not base/X25519/HKDF-SHA256/AES-128-GCM`);
  }
  if (x25519Public(v.cle_privee_test_only) !== v.cle_publique) problems.push('identite.json: public key differs');
  if (!info(v.partenaire).equals(Buffer.from(v.info, 'utf8'))) problems.push('identite.json: info differs');
  const [prefix, pseudo, sealedIne] = v.sujet.valeur.split('.');
  if (prefix !== 'hpke1' || pseudo !== v.sujet.pseudo || !/^[0-9a-f]{32}$/.test(pseudo)) {
    problems.push('identite.json: subject is not hpke1.<32 hex>.<sealed>');
  }
  // the vectors give the SHA-256 of each plaintext, never the synthetic identity in clear
  const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
  const opened = async (what, sealed, digest) => {
    let clear = null;
    try {
      clear = await open(v.cle_privee_test_only, sealed, v.partenaire);
      if (sha256(clear) !== digest) problems.push(`identite.json: ${what} opens to something else`);
    } catch (e) { problems.push(`identite.json: ${what} does not open: ${e.message}`); }
    try { // a value sealed for one partner never opens as another's
      await open(v.cle_privee_test_only, sealed, `${v.partenaire}X`);
      problems.push(`identite.json: ${what} opens with another partner's info`);
    } catch { /* expected */ }
    return clear;
  };
  const ineBytes = await opened('subject', Buffer.from(sealedIne, 'base64url'), v.sujet.ine_sha256);
  const identite = Buffer.from(v.identite.scelle_hex, 'hex');
  const clearBytes = await opened('identite', identite, v.identite.clair_sha256);
  if (ineBytes === null || clearBytes === null) return problems;
  const ine = ineBytes.toString('utf8');
  const clear = JSON.parse(clearBytes.toString('utf8'));
  if (JSON.stringify(Object.keys(clear).sort()) !== JSON.stringify(['accompagnement_handicap', 'date_naissance', 'ine', 'nom', 'prenom'])
      || JSON.stringify(Object.keys(clear).sort()) !== JSON.stringify(v.identite.clair_champs)
      || clear.ine !== ine || !/^\d{4}-\d{2}-\d{2}$/.test(clear.date_naissance)) {
    problems.push('identite.json: the clear identity is not the documented JSON object');
  }
  if (identite.length !== 32 + clearBytes.length + 16) problems.push('identite.json: not enc || ct || tag');
  // and what this client seals, the published key opens (sealing is randomised: no fixed bytes)
  const mine = await seal(v.cle_publique, identityJson(clear), v.partenaire);
  if (!(await open(v.cle_privee_test_only, mine, v.partenaire)).equals(identityJson(clear))) {
    problems.push('identite.json: this client\'s sealing does not open');
  }
  const [a, b] = [await sealedSubject(v.cle_publique, ine, v.partenaire, pseudo),
    await sealedSubject(v.cle_publique, ine, v.partenaire, pseudo)];
  if (a === b || !/^hpke1\.[0-9a-f]{32}\.[A-Za-z0-9_-]+$/.test(a)) problems.push('identite.json: sealing is not randomised base64url');
  for (const s of [a, b]) {
    const opened = await open(v.cle_privee_test_only, Buffer.from(s.split('.')[2], 'base64url'), v.partenaire);
    if (opened.toString('utf8') !== ine) problems.push('identite.json: a fresh sealing of the INE does not open to it');
  }
  return problems;
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
      const fp = m.value_hex.slice(4, 20); // the writer schema is the one the value names
      const schema = Object.values(files).find((s) => s.namespace === ns && s.name === name
        && fingerprintBytes(canonicalForm(s)).toString('hex') === fp);
      const rec = fromVectorRecord(m.enregistrement);
      const { envelope, ...fields } = rec;
      const built = buildMessage({ schema, partner: m.partenaire, seed: partners[m.partenaire].private_key_test_only,
        subject: envelope.subject, fields, eventId: envelope.event_id, time: new Date(envelope.time) });
      if (built.value.toString('hex') !== m.value_hex) problems.push(`${f}: value differs`);
      if (built.key.toString('base64') !== m.key) problems.push(`${f}: key differs`);
      if (signedBytes(built.value, unsigned).toString('hex') !== m.octets_signes_hex) problems.push(`${f}: signed bytes differ`);
      const mine = built.headers.map(([n, v]) => [n, v.toString('base64')]);
      if (JSON.stringify(mine) !== JSON.stringify(m.headers)) problems.push(`${f}: headers differ`);
      checked++;
    }
  }
  return { problems, schemas: schemas.length, rebuilt: checked };
}

// --- send, then read the receipt (sections 7 and 10) ---------------------------------------------
async function publicKeyOf(env) { // the platform's public key (docs/contrats.md, "Sealed identity")
  if (env.AMBITION_IDENTITY_PUBLIC_KEY) return env.AMBITION_IDENTITY_PUBLIC_KEY;
  const r = await fetch(`${env.AMBITION_API_URL}/v1/cle-publique`);
  if (!r.ok) throw new Error(`GET /v1/cle-publique answered ${r.status}`);
  return (await r.json()).cle_publique;
}

// A fact about an élève: its INE sealed afresh (the platform finds the same parcours), or the
// subject as given
async function factAddress(env) {
  if (!env.AMBITION_INE) return env.AMBITION_SUBJECT;
  return sealedSubject(await publicKeyOf(env), env.AMBITION_INE, env.AMBITION_PARTNER,
    pseudonym(env.AMBITION_PRIVATE_KEY, env.AMBITION_INE));
}

// An enrolment: the subject is the INE sealed, the identity JSON sealed in `identite` (section 5)
async function enrolmentFields(env) {
  const identity = JSON.parse(env.AMBITION_IDENTITE);
  const platform = await publicKeyOf(env);
  const infoPartner = env.AMBITION_SEAL_INFO_PARTNER || env.AMBITION_PARTNER;
  const subject = await sealedSubject(platform, identity.ine, infoPartner, pseudonym(env.AMBITION_PRIVATE_KEY, identity.ine));
  const identite = await seal(env.AMBITION_SEAL_IDENTITE_TO || platform, identityJson(identity), infoPartner);
  return { subject, fields: { ...JSON.parse(env.AMBITION_FIELDS), identite } };
}

async function send(env, { subject, fields }) {
  const schema = JSON.parse(readFileSync(env.AMBITION_SCHEMA, 'utf8'));
  const eventId = randomUUID();
  const msg = buildMessage({ schema, partner: env.AMBITION_PARTNER, seed: env.AMBITION_PRIVATE_KEY,
    subject, fields, eventId, time: new Date() });
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
  r.problems.push(...await checkSealedIdentity(args[0]));
  console.log(JSON.stringify(r));
  process.exit(r.problems.length ? 1 : 0);
} else if (mode === 'envoyer') {
  const env = process.env;
  process.exit(await send(env, { subject: await factAddress(env), fields: JSON.parse(env.AMBITION_FIELDS) }));
} else if (mode === 'inscrire') {
  process.exit(await send(process.env, await enrolmentFields(process.env)));
} else {
  console.error('usage: node client.mjs vecteurs <docs/vecteurs> <schemas> | envoyer | inscrire');
  process.exit(2);
}
