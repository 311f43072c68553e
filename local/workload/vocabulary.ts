import type { Random } from './random.ts';

/**
 * Names and remittance texts, as customers of Korean and Cambodian banks write them. Account names
 * are shown the way each bank displays them: Hangul in Korea, upper-case romanised elsewhere.
 */

const KOREAN_SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['김', 21],
  ['이', 15],
  ['박', 8],
  ['최', 5],
  ['정', 4],
  ['강', 2],
  ['조', 2],
  ['윤', 2],
  ['장', 2],
  ['임', 2],
  ['한', 1],
  ['오', 1],
  ['서', 1],
  ['신', 1],
  ['권', 1],
  ['황', 1],
  ['안', 1],
  ['송', 1],
  ['류', 1],
  ['홍', 1],
];
const KOREAN_GIVEN_NAMES = [
  '민준',
  '서연',
  '지훈',
  '수빈',
  '현우',
  '지민',
  '예은',
  '도윤',
  '하은',
  '서준',
  '지우',
  '은지',
  '성민',
  '혜진',
  '동현',
  '미경',
  '영희',
  '정숙',
  '순자',
  '영수',
  '상철',
  '경희',
  '미숙',
  '정호',
  '재석',
  '유진',
  '태현',
  '소연',
  '민지',
  '준호',
];
const KHMER_SURNAMES = [
  'SOK',
  'CHAN',
  'KIM',
  'LIM',
  'HENG',
  'CHHAY',
  'PHAL',
  'SAY',
  'MEAS',
  'NOV',
  'KEO',
  'SEN',
  'VANN',
  'SREY',
  'TOUCH',
  'OUK',
  'PEN',
  'YIM',
  'LY',
  'SAM',
];
const KHMER_GIVEN_NAMES = [
  'DARA',
  'SOPHEAP',
  'SREYNEANG',
  'VICHEKA',
  'BOPHA',
  'RATHA',
  'PISEY',
  'VIBOL',
  'SOKHA',
  'CHANTHA',
  'MALIS',
  'RAKSMEY',
  'SOPHAL',
  'KOSAL',
  'SINA',
  'DAVY',
  'SOKUNTHEA',
  'VANNAK',
  'NARY',
  'PHEARUN',
];
const FOREIGN_NAMES: Record<string, readonly [readonly string[], readonly string[]]> = {
  PH: [
    ['MARIA', 'JOSE', 'ANA', 'MARK', 'JOHN', 'GRACE', 'ROSALIE', 'JERICHO'],
    ['SANTOS', 'REYES', 'CRUZ', 'BAUTISTA', 'MENDOZA', 'GARCIA'],
  ],
  MM: [
    ['AUNG', 'THANDAR', 'ZAW MIN', 'HLAING', 'KYAW', 'MYA'],
    ['KYAW', 'WIN', 'OO', 'HTUN', 'THU', 'AYE'],
  ],
  LA: [
    ['SOUKSAVANH', 'KHAMPHOUI', 'VIENGKHAM', 'BOUNMY', 'NOY'],
    ['PHOMMA', 'SIHARATH', 'VONGSA', 'KEOMANY'],
  ],
  VN: [
    ['NGUYEN VAN', 'TRAN THI', 'LE VAN', 'PHAM THI', 'HOANG VAN'],
    ['AN', 'HOA', 'MINH', 'LAN', 'DUC', 'THAO'],
  ],
  TH: [
    ['SOMCHAI', 'SUDA', 'ANAN', 'PORNTIP', 'WICHAI'],
    ['SRISUK', 'CHAIYAPORN', 'BOONMA', 'THONGDEE'],
  ],
  NP: [
    ['RAM BAHADUR', 'SITA', 'BIKASH', 'SUNITA'],
    ['THAPA', 'GURUNG', 'RAI', 'SHRESTHA'],
  ],
};

export function personName(rng: Random, country: string): string {
  if (country === 'KR') return rng.weighted(KOREAN_SURNAMES) + rng.pick(KOREAN_GIVEN_NAMES);
  if (country === 'KH') return `${rng.pick(KHMER_SURNAMES)} ${rng.pick(KHMER_GIVEN_NAMES)}`;
  const [given, family] = FOREIGN_NAMES[country] ?? FOREIGN_NAMES.PH!;
  return `${rng.pick(given)} ${rng.pick(family)}`;
}

export const BUSINESS_NAMES = {
  krMerchants: [
    '행복마트',
    '(주)한빛물산',
    '그린꽃집',
    '우리동네정육점',
    '(주)스마일여행사',
    '튼튼정형외과',
    '(주)미래가구',
    '맛나분식',
    '새봄안경원',
    '(주)바른전자',
    '하늘약국',
    '소담한식당',
    '(주)누리쇼핑',
    '동네빵집 밀',
    '청춘헬스',
    '다온세탁',
  ],
  krApartments: ['래미안', '푸르지오', '자이', '힐스테이트', '주공', '현대', '롯데캐슬', 'e편한세상'],
  krBillers: [
    '한국전력공사',
    '서울도시가스',
    'SK텔레콤',
    'KT',
    '(주)대한화재',
    '한솔수학학원',
    '해법영어교실',
    '국민건강보험공단',
  ],
  krEmployers: [
    '(주)동방정밀',
    '(주)코리아로지스',
    '한결세무회계',
    '(주)새한식품',
    '대성건설(주)',
    '(주)누리소프트',
    '(주)한성물류',
    '성원기계(주)',
  ],
  krSmallShops: ['카페 온도', '김밥마을 역삼점', '24시 편의점 선릉점', '하루네일', '참숯갈비', '꽃길헤어'],
  krContractors: [
    '(주)예담인테리어',
    '한빛설비',
    '우리집수리',
    '(주)청담리모델링',
    '대한보일러',
    '서울한방병원',
    '연세치과의원',
  ],
  krEmoney: ['(주)페이코인충전', '(주)해피머니', '(주)컬처랜드'],
  khMerchants: [
    'LUCKY MART',
    'BROWN COFFEE',
    'CHIP MONG MALL',
    'TELA MART',
    'AMAZON CAFE',
    'PHNOM PENH PHARMACY',
    'ANGKOR MOTOR PARTS',
    'SOVANNA BOOKSHOP',
    'MEKONG ELECTRONICS',
    'ROMDUOL RESTAURANT',
  ],
  khBillers: ['EDC', 'PPWSA', 'CELLCARD', 'SMART AXIATA', 'EZECOM'],
  khSchools: [
    'SUNRISE INTERNATIONAL SCHOOL',
    'PHNOM PENH ENGLISH CENTRE',
    'WESTLINE SCHOOL',
    'ROYAL UNIVERSITY OF PHNOM PENH',
  ],
  khLenders: ['PRASAC MFI', 'AMRET MFI', 'HATTHA BANK', 'LOLC CAMBODIA'],
  khEmployers: [
    'SHINE GARMENT CO., LTD',
    'ANGKOR LOGISTICS CO., LTD',
    'MEKONG TRADING CO., LTD',
    'TONLE SAP RESTAURANT',
    'KAMPUCHEA CONSTRUCTION',
  ],
  scamPlatformsKr: ['(주)글로벌에셋파트너스', '(주)퀀텀트레이드', '(주)에이스인베스트', '(주)스타리치홀딩스'],
  scamPlatformsEn: [
    'GOLDEN TRADE GLOBAL CO., LTD',
    'FUTURE WEALTH HOLDINGS',
    'ROYAL CAPITAL MARKETS',
    'APEX DIGITAL ASSETS LTD',
  ],
} as const;

/**
 * Remittance texts by occasion. `{name}` stands for the sender's own name, which Korean banking apps
 * put into the recipient's statement by default; an empty string means no text at all.
 */
export const TEXTS = {
  krFamily: ['용돈', '생활비', '엄마 용돈', '아빠 생신', '병원비', '{name}', '{name}', ''],
  krFriend: ['더치페이', '밥값', '커피값', '축의금', '빌린돈', '회식비', '{name}', '{name}', ''],
  krNewPayee: ['중고거래', '물품대금', '과외비', '레슨비', '{name}', '{name}', ''],
  krMerchant: ['{name}', '{name}', '물품대금', '주문', ''],
  krBill: ['11월 관리비', '관리비', '보험료', '통신요금', '학원비', '가스요금'],
  krRent: ['월세', '11월 월세', '{name}'],
  krSalary: ['급여', '11월 급여', '월급'],
  krPartTimeWages: ['알바비', '11월 알바비', '급여'],
  krOwnAccount: ['저축', '적금', '이체', '{name}', ''],
  krSecurities: ['주식', '{name}', '', ''],
  krClubDues: ['회비', '11월 회비', '동호회비', '모임회비', '{name}'],
  krSmallBusiness: ['주문', '케이크 주문', '{name}', '{name}', '반찬 주문'],
  krContractor: ['인테리어 잔금', '수리비', '병원비', '계약금', '공사대금', '보일러 교체', '{name}'],
  krRentDeposit: ['보증금', '계약금', '전세 잔금', '{name}'],
  crossBorderFamily: ['family support', '생활비', 'for mom', 'school fee', ''],
  crossBorderNewPayee: ['family support', 'tuition', 'hotel deposit', 'invoice payment', ''],
  // Cambodian workers in Korea often write to their family in Khmer.
  crossBorderKhmer: ['ជំនួយគ្រួសារ', 'ថ្លៃសាលា', 'ផ្ញើឲ្យម៉ាក់'],
  khFamily: ['family support', 'ជំនួយគ្រួសារ', 'for mom', 'ផ្ញើឲ្យម៉ាក់', ''],
  khFriend: ['thank you', 'ថ្លៃម្ហូប', 'pay back', 'lunch', ''],
  khMerchant: ['coffee', 'ទិញឥវ៉ាន់', '', '', ''],
  khBill: ['ថ្លៃភ្លើង', 'ថ្លៃទឹក', 'internet', 'phone top up', ''],
  khSchool: ['school fee', 'ថ្លៃសាលា', 'tuition'],
  khRent: ['rent', 'ថ្លៃផ្ទះ', 'room rent'],
  khSalary: ['salary', 'ប្រាក់ខែ', 'November salary'],
  khLoan: ['loan repayment', 'សងប្រាក់កម្ចី'],
  // "ថ្លៃការងារ" (payment for work) is ordinary, but contains a scam keyword of the pack.
  khContractor: ['ថ្លៃការងារ', 'repair', 'construction', ''],
} as const satisfies Record<string, readonly string[]>;

/**
 * What scam victims write, in Korean at the Korean bank and in English or Khmer at the Cambodian
 * one. Most carry no telltale word: the sender's name or nothing at all is as common as "투자".
 */
export const SCAM_TEXTS = {
  usedGoods: { kr: ['물품대금', '중고거래', '{name}', '{name}', ''], kh: ['goods', 'ទិញឥវ៉ាន់', '{name}', ''] },
  job: {
    kr: ['수수료', '알바 보증금', 'task fee', 'VIP 등급', '{name}', ''],
    kh: ['task fee', 'commission', 'VIP upgrade', 'ប្រាក់កក់', '{name}', ''],
  },
  investment: {
    kr: ['투자', '투자금', '리딩방 가입비', '{name}', '', ''],
    kh: ['investment deposit', 'វិនិយោគ', 'profit', '{name}', '', ''],
  },
  voicePhishing: { kr: ['', '', '{name}', '{name}', '보관금', '안전계좌', '대출상환'], kh: ['', '{name}'] },
  messenger: {
    kr: ['', '{name}', '폰 수리비', '급한 돈', '상품권'],
    kh: ['', '{name}', 'hospital', 'urgent', 'phone repair'],
  },
  escalating: {
    kr: ['투자', '투자금', '추가 입금', '출금 수수료', 'USDT', '{name}', ''],
    kh: ['investment deposit', 'tax clearance', 'withdrawal fee', 'USDT', 'វិនិយោគ', '{name}', ''],
  },
  crypto: { kr: ['', '', 'USDT', '코인 구매', '충전', '{name}'], kh: ['', '', 'USDT', 'top up', '{name}'] },
  scamHub: {
    kr: ['visa fee', 'ticket', 'hospital', 'for you my love', '항공권', '보증금', '', '{name}'],
    kh: ['visa fee', 'ticket', '', '{name}'],
  },
} as const satisfies Record<string, { kr: readonly string[]; kh: readonly string[] }>;
export type ScamTexts = (typeof SCAM_TEXTS)[keyof typeof SCAM_TEXTS];

/** A remittance text for the occasion, or undefined when the sender left it empty. */
export function remittanceText(rng: Random, choices: readonly string[], senderName: string): string | undefined {
  const text = rng.pick(choices).replace('{name}', senderName);
  return text === '' ? undefined : text;
}
