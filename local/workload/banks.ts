/**
 * Banks and wallets that appear in the workload, with account numbers in each institution's own
 * format. Korean banks go by their KFTC three-digit code, the others by a SWIFT-style BIC.
 */
export interface Bank {
  readonly code: string;
  readonly country: string;
  readonly name: string;
  /** `#` is a random digit; several patterns when the institution issues several kinds. */
  readonly accountPatterns: readonly string[];
}

const bank = (code: string, country: string, name: string, ...accountPatterns: string[]): Bank => ({
  code,
  country,
  name,
  accountPatterns,
});

export const KR_BANKS = {
  kb: bank('004', 'KR', 'KB국민은행', '######-##-######'),
  shinhan: bank('088', 'KR', '신한은행', '110-###-######', '100-###-######'),
  woori: bank('020', 'KR', '우리은행', '1002-###-######'),
  hana: bank('081', 'KR', '하나은행', '###-######-#####'),
  nh: bank('011', 'KR', 'NH농협은행', '302-####-####-##', '352-####-####-##'),
  kakao: bank('090', 'KR', '카카오뱅크', '3333-##-#######'),
  toss: bank('092', 'KR', '토스뱅크', '1000-####-####'),
  kbank: bank('089', 'KR', '케이뱅크', '100-###-######'),
  ibk: bank('003', 'KR', 'IBK기업은행', '###-######-##-###'),
  kiwoom: bank('264', 'KR', '키움증권', '####-####'),
  mirae: bank('238', 'KR', '미래에셋증권', '###-##-######'),
} as const;

/** Where Korean customers hold accounts, roughly by market share. */
export const KR_RETAIL_BANKS: ReadonlyArray<readonly [Bank, number]> = [
  [KR_BANKS.kb, 20],
  [KR_BANKS.shinhan, 16],
  [KR_BANKS.woori, 13],
  [KR_BANKS.hana, 12],
  [KR_BANKS.nh, 15],
  [KR_BANKS.kakao, 12],
  [KR_BANKS.toss, 5],
  [KR_BANKS.kbank, 3],
  [KR_BANKS.ibk, 4],
];

/** Korean exchanges take deposits through a partner bank's per-customer virtual account. */
export const KR_CRYPTO_EXCHANGES: ReadonlyArray<readonly [{ bank: Bank; name: string }, number]> = [
  [{ bank: KR_BANKS.kbank, name: '두나무(업비트)' }, 6],
  [{ bank: KR_BANKS.nh, name: '빗썸코리아' }, 3],
  [{ bank: KR_BANKS.shinhan, name: '코빗' }, 1],
  [{ bank: KR_BANKS.kakao, name: '코인원' }, 1],
];

export const KH_BANKS = {
  aba: bank('ABAAKHPP', 'KH', 'ABA Bank', '00#######'),
  acleda: bank('ACLBKHPP', 'KH', 'ACLEDA Bank', '####-##-######-#-#'),
  canadia: bank('CADIKHPP', 'KH', 'Canadia Bank', '###-##-########'),
  ppcb: bank('PPCBKHPP', 'KH', 'Phnom Penh Commercial Bank', '##########'),
  wing: bank(
    'WINGKHPP',
    'KH',
    'Wing Bank',
    '012######',
    '017######',
    '092######',
    '096#######',
    '097#######',
    '085######',
    '077######',
  ),
} as const;

export const KH_RETAIL_BANKS: ReadonlyArray<readonly [Bank, number]> = [
  [KH_BANKS.aba, 45],
  [KH_BANKS.acleda, 30],
  [KH_BANKS.canadia, 10],
  [KH_BANKS.ppcb, 5],
  [KH_BANKS.wing, 10],
];

/** Banks abroad: the scam-hub countries of the pack and the home countries of migrant workers. */
export const FOREIGN_BANKS = {
  PH: [bank('BOPIPHMM', 'PH', 'BPI', '##########'), bank('MBTCPHMM', 'PH', 'Metrobank', '###-#-########')],
  MM: [bank('KBZBMMMY', 'MM', 'KBZ Bank', '#################'), bank('AYABMMMY', 'MM', 'AYA Bank', '################')],
  LA: [bank('COEBLALA', 'LA', 'BCEL', '###############'), bank('LDBBLALA', 'LA', 'Lao Development Bank', '##########')],
  VN: [bank('BFTVVNVX', 'VN', 'Vietcombank', '##########'), bank('VBAAVNVX', 'VN', 'Agribank', '#############')],
  TH: [
    bank('BKKBTHBK', 'TH', 'Bangkok Bank', '###-#-#####-#'),
    bank('KASITHBK', 'TH', 'Kasikornbank', '###-#-#####-#'),
  ],
  NP: [bank('NARBNPKA', 'NP', 'Nabil Bank', '##############')],
  KH: [KH_BANKS.aba, KH_BANKS.acleda, KH_BANKS.canadia, KH_BANKS.wing],
} as const satisfies Record<string, readonly Bank[]>;
export type ForeignCountry = keyof typeof FOREIGN_BANKS;
