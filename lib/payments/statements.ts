/**
 * The providers' daily statement files (对账单), read into one row shape: WeChat Pay's trade bill
 * (交易账单: header, back-quoted data rows, a 总交易单数 summary block) and Alipay's business
 * statement (业务明细: `#` comment lines, header, data rows, `#` totals). Only the columns the
 * reconciliation needs are read; a bad file is a 400 naming its line and column.
 * csv-parse loads on first use, never at a Lambda's cold start.
 */
import { ValidationError } from '../errors.js';
import { type Fen, parseMoney } from '../money.js';
import type { ProviderName } from './provider.js';

export interface StatementRow {
  /** The file's line number (1-based), for answers that point back into the file. */
  line: number;
  outTradeNo: string;
  transactionId: string;
  /** Beijing time as the file writes it, `YYYY-MM-DD HH:mm:ss`. */
  at: string;
  amount: Fen;
  /** Refund rows are listed by the provider but are not payments: counted, not matched. */
  kind: 'PAYMENT' | 'REFUND';
}

interface Layout {
  time: string[];
  outTradeNo: string[];
  transactionId: string[];
  amount: string[];
  kind: string[];
  /** The kind column's value for a payment, and for a refund. */
  payment: string[];
  refund: string[];
}

const LAYOUT: Record<ProviderName, Layout> = {
  WECHAT: {
    time: ['交易时间'],
    outTradeNo: ['商户订单号'],
    transactionId: ['微信订单号'],
    amount: ['订单金额', '应结订单金额'],
    kind: ['交易状态'],
    payment: ['SUCCESS'],
    refund: ['REFUND', 'REVOKED'],
  },
  ALIPAY: {
    time: ['完成时间', '创建时间'],
    outTradeNo: ['商户订单号'],
    transactionId: ['支付宝交易号'],
    amount: ['订单金额（元）', '订单金额(元)', '收入金额（+元）', '收入金额'],
    kind: ['业务类型'],
    payment: ['交易'],
    refund: ['退款'],
  },
};

/** UTF-8 (with or without BOM), else GBK: the providers' downloads are GBK, re-saved files UTF-8. */
function decodeCsv(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder().decode(bytes.subarray(3));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

const bad = (line: number, column: string, message: string) =>
  ValidationError.of(`line ${line}, column ${column}`, 'INVALID_STATEMENT', message);

/** WeChat writes every cell as `` `value `` so spreadsheets keep long numbers as text. */
const clean = (v: string | undefined) => (v ?? '').trim().replace(/^`/, '').trim();

export async function parseStatement(
  provider: ProviderName,
  date: string,
  bytes: Uint8Array,
): Promise<StatementRow[]> {
  const { parse } = await import('csv-parse/sync');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(decodeCsv(bytes), {
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      info: true,
    }) as unknown as typeof records;
  } catch (e) {
    throw ValidationError.of('body', 'INVALID_STATEMENT', `the file is not CSV: ${(e as Error).message}`);
  }
  const layout = LAYOUT[provider];
  const isComment = (r: string[]) => clean(r[0]).startsWith('#');
  const headerAt = records.findIndex((r) => !isComment(r.record));
  if (headerAt < 0) throw ValidationError.of('body', 'INVALID_STATEMENT', 'the file has no header row');
  const header = records[headerAt]!.record.map(clean);
  const headerLine = records[headerAt]!.info.lines;
  const column = (names: string[]) => {
    // The names in order of preference: WeChat's 订单金额 before 应结订单金额 (coupons aside).
    const i = names.map((n) => header.indexOf(n)).find((at) => at >= 0) ?? -1;
    if (i < 0) throw bad(headerLine, names[0]!, `the header has no ${names.join(' / ')} column`);
    return { i, name: header[i]! };
  };
  const cols = {
    time: column(layout.time),
    outTradeNo: column(layout.outTradeNo),
    transactionId: column(layout.transactionId),
    amount: column(layout.amount),
    kind: column(layout.kind),
  };
  const rows: StatementRow[] = [];
  for (const { record, info } of records.slice(headerAt + 1)) {
    const first = clean(record[0]);
    // The data end where WeChat's summary block or Alipay's closing comment lines begin.
    if (first.startsWith('#') || first === '总交易单数') break;
    const line = info.lines;
    const get = (c: { i: number; name: string }) => {
      const v = clean(record[c.i]);
      if (!v) throw bad(line, c.name, `${c.name} is empty`);
      return v;
    };
    const kindText = get(cols.kind);
    const kind = layout.payment.includes(kindText)
      ? 'PAYMENT'
      : layout.refund.includes(kindText)
        ? 'REFUND'
        : undefined;
    if (!kind) throw bad(line, cols.kind.name, `${cols.kind.name} ${kindText} is not known`);
    const at = get(cols.time).replace(/\//g, '-');
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(at))
      throw bad(line, cols.time.name, `${cols.time.name} must be YYYY-MM-DD HH:mm:ss`);
    if (at.slice(0, 10) !== date)
      throw bad(line, cols.time.name, `the row is of ${at.slice(0, 10)}, not of the statement date ${date}`);
    let amount: Fen;
    try {
      amount = parseMoney(get(cols.amount), cols.amount.name, { allowNegative: kind === 'REFUND' });
    } catch {
      throw bad(line, cols.amount.name, `${cols.amount.name} must be yuan like 12.50`);
    }
    rows.push({
      line,
      outTradeNo: get(cols.outTradeNo),
      transactionId: get(cols.transactionId),
      at,
      amount,
      kind,
    });
  }
  return rows;
}
