/** The API's JSON as the pages read it (API.md; money is always a two-decimal string). */

export interface Line {
  type: string;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  months: number | null;
  amount: string;
  tariffVersion: string;
  period?: Period;
  trace: Record<string, unknown>;
}

/** Half-open `[start, end)`; `lastDay` is the inclusive last day people read. */
export interface Period {
  start: string;
  end: string;
  lastDay?: string;
}

export interface Invoice {
  invoiceId: string;
  invoiceNo: string;
  estateId: string;
  unitId?: string;
  plate?: string;
  status: 'OPEN' | 'PAID' | 'VOID' | 'CREDITED';
  issuedAt: string;
  issuedBy: string;
  dueDate: string;
  lines: Line[];
  total: string;
  totalInWords: string;
  receiptNo?: string;
  voidReason?: string;
}

export interface Space {
  spaceNo: string;
  kind: 'OWNED' | 'USE_RIGHT';
  plates: string[];
}

export interface Unit {
  unitId: string;
  estateId: string;
  building: string;
  /** 单元, when the unit has one (SPEC.md §8): part of every address shown. */
  entrance?: string;
  room: string;
  unitType: string;
  area: string;
  deliveryDate: string;
  occupantName?: string;
  paidThrough: string | null;
  spaces?: Space[];
  openInvoices?: Invoice[];
  /** Due on or before today and unpaid (GET /v1/units/{unitId}; docs/reports.md). */
  arrears?: UnitArrears;
}

export interface UnitArrears {
  amount: string;
  oldestDueDate: string | null;
  daysOverdue: number | null;
  /** Overdue invoices, oldest due first. */
  invoiceNos: string[];
}

export interface Receipt {
  receiptNo: string;
  estateId: string;
  /** What a reprint prints (SPEC.md §5): the estate's name, the unit's building, entrance and room. */
  estateName?: string;
  building?: string;
  entrance?: string;
  room?: string;
  invoiceNo?: string;
  sessionId?: string;
  unitId?: string;
  plate?: string;
  channel: string;
  amount: string;
  amountInWords: string;
  tendered?: string;
  change?: string;
  reference?: string;
  cashier: string;
  /** Who took the money as printed: the cashier's name, or 自助终端 and the terminal. */
  cashierName?: string;
  paidAt: string;
  businessDate: string;
  lines: { type: string; description: string; amount: string; period?: Period }[];
  state?: 'VALID' | 'REVERSED';
  /** 有效 or 已冲红. */
  stateName?: string;
  /** The credit note that reversed the receipt's invoice. */
  creditNoteNo?: string;
}

export interface ParkingSession {
  sessionId: string;
  estateId: string;
  plate: string;
  status: 'OPEN' | 'CLOSED';
  entryAt: string;
  paid: string;
  receipts: string[];
  exitBy?: string;
}

export interface ParkingQuote {
  sessionId: string;
  plate: string;
  entryAt: string;
  at: string;
  durationMinutes: number;
  duration: string;
  band: { upToMinutes: number; amount: string } | null;
  fullDays: number;
  fee: string;
  paid: string;
  amountDue: string;
  exitAllowed: boolean;
  reason: 'FREE_STAY' | 'PAID' | 'OWNED_SPACE' | 'RENTAL' | 'PAYMENT_DUE';
  exitBy?: string;
}

export interface TariffVersion {
  versionId: string;
  effectiveFrom: string;
  noticeDate: string;
  approvalRef: string;
  rates: {
    PROPERTY_FEE: Record<string, string>;
    PARKING_SPACE_FEE: string;
    PARKING_RENTAL: Record<string, string>;
    RENOVATION_WASTE: string;
    RENOVATION_DEPOSIT: string;
    RENOVATION_CARDS: string;
    CARD_DEPOSIT: string;
  };
  tempParkingBands: { upToMinutes: number; amount: string }[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
