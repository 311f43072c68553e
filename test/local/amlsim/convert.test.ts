import { describe, expect, it } from 'vitest';
import { parseTransferEvent } from '#domain/contract/transfer-event.ts';
import { amlsimEvents, readAmlsimArchive } from '#local/amlsim/convert.ts';
import { labelFrom } from '#use-cases/backtest/labels.ts';

const NODES = 'nodeid,isFraud,init_balance,fraudStep\n0,0,100.00,-1\n1,1,50.00,3\n2,1,70.00,3\n';
const TRANSACTIONS = 'sourceNodeId,targetNodeId,value,time\n1,2,19.5,2\n0,1,147.8,1\n2,1,10.11,2\n0,2,5,1\n';

describe('the AMLSim outside workload', () => {
  it('becomes valid v1 events in event-time order, a step a day, with labels naming accounts', () => {
    const events = amlsimEvents(NODES, TRANSACTIONS);
    expect(events.map((e) => [e.transferId, e.occurredAt])).toEqual([
      ['AML-000002', '2026-01-01T00:00:00.000Z'],
      ['AML-000004', '2026-01-01T12:00:00.000Z'],
      ['AML-000001', '2026-01-02T00:00:00.000Z'],
      ['AML-000003', '2026-01-02T12:00:00.000Z'],
    ]);
    for (const event of events) expect(parseTransferEvent(JSON.stringify(event)).ok).toBe(true);
    expect(events[0]).toMatchObject({
      amount: { value: '147.80', currency: 'USD' },
      debtor: { accountId: 'AMLSIM-0' },
      creditor: { accountId: 'AMLSIM-1', accountType: 'PERSONAL' },
    });
    // A transfer between two laundering accounts is fraud; the accounts' own labels travel with every transfer.
    expect(labelFrom(events[0]!.label)).toEqual({ fraud: false, debtorFraud: false, creditorFraud: true });
    expect(labelFrom(events[2]!.label)).toEqual({
      fraud: true,
      typology: 'amlsim-cycle',
      debtorFraud: true,
      creditorFraud: true,
    });
  });

  it('refuses a malformed file with the file, line and column', () => {
    expect(() => amlsimEvents(NODES, 'sourceNodeId,targetNodeId,value,time\n1,2,abc,2\n')).toThrow(
      'transactions.csv line 2: value is not a number',
    );
    expect(() => amlsimEvents('id,fraud\n', TRANSACTIONS)).toThrow('nodes.csv line 1: expected the header');
  });

  it('reads the shipped sample: 117,805 transfers among 20,000 accounts, 945 in laundering cycles', async () => {
    const { nodes, transactions } = await readAmlsimArchive();
    const events = amlsimEvents(nodes, transactions);
    expect(events).toHaveLength(117_805);
    const fraudAccounts = new Set<string>();
    type Converted = {
      debtor: { accountId: string };
      creditor: { accountId: string };
      label: { debtorFraud: boolean; creditorFraud: boolean };
    };
    for (const { debtor, creditor, label } of events as unknown as Converted[]) {
      if (label.debtorFraud) fraudAccounts.add(debtor.accountId);
      if (label.creditorFraud) fraudAccounts.add(creditor.accountId);
    }
    expect(fraudAccounts.size).toBe(945);
  });
});
