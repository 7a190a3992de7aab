/**
 * Regenerates test/vectors/cipherpost-v1-kat.json. Run only when the format
 * changes on purpose (and bump the format version then): `npx tsx scripts/generate-kat.ts`.
 */
import { writeFileSync } from 'node:fs';
import { generateKat, KAT_FILE } from '../test/kat/kat';

const kat = await generateKat();
writeFileSync(KAT_FILE, `${JSON.stringify(kat, null, 2)}\n`);
console.log(`wrote ${KAT_FILE}: ${kat.identities.length} identities, ${kat.messages.length} messages`);
