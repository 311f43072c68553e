import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSqsText } from '#domain/contract/sqs-characters.ts';
import { parseTransferEvent } from '#domain/contract/transfer-event.ts';
import { createPseudonymiser } from '#domain/identity/pseudonym.ts';
import { compileRulePack } from '#domain/rules/compile.ts';
import { InMemoryScreener } from '#domain/screening/in-memory-screener.ts';
import { toActivity } from '#domain/screening/screen-transfer.ts';
import shippedPack from '../../../lambdas/rule-packs/kr-kh.json' with { type: 'json' };
import { awkwardText, mutatedEvent, SEED } from './transfer-arbitraries.ts';

/** The SQS limit on a message body. */
const SQS_MAX_MESSAGE_BYTES = 256 * 1024;

describe('decisions of accepted events, by property', () => {
  it('turns every accepted event into a decision SQS can carry', () => {
    const pack = compileRulePack(shippedPack);
    const pseudonymiser = createPseudonymiser('k'.repeat(32));
    const screener = new InMemoryScreener(pack);
    // Remittance text reaches the decision as evidence when it holds a scam phrase, so most do here.
    const scamPhrase = fc.constantFrom('investment deposit', '투자 수익 보장', 'rent for mum 🙏');
    const remittanceInfo = fc.oneof(
      fc.tuple(scamPhrase, awkwardText).map(([phrase, text]) => `${phrase} ${text}`),
      awkwardText,
    );
    const candidate = fc
      .record({ event: mutatedEvent, remittanceInfo, name: awkwardText })
      .map(({ event, remittanceInfo, name }) => {
        event.remittanceInfo = remittanceInfo;
        if (event.creditor && typeof event.creditor === 'object')
          (event.creditor as Record<string, unknown>).name = name;
        return event;
      });
    let accepted = 0;
    fc.assert(
      fc.property(candidate, (event) => {
        const result = parseTransferEvent(JSON.stringify(event));
        if (!result.ok) return;
        accepted++;
        const message = JSON.stringify(
          screener.screen(result.event, toActivity(result.event, pseudonymiser), new Date('2026-12-01T12:00:00Z')),
        );
        expect(isSqsText(message)).toBe(true);
        expect(Buffer.byteLength(message)).toBeLessThan(SQS_MAX_MESSAGE_BYTES);
      }),
      { seed: SEED, numRuns: 1500 },
    );
    // The property says something only if enough events get through to be screened.
    expect(accepted).toBeGreaterThan(100);
  });
});
