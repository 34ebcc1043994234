/**
 * Every error the API can return, said politely in plain Chinese for a cashier or an owner at a
 * kiosk. No raw codes reach the screen, and no message sends anyone away ("come back tomorrow"):
 * each says what happened and what to do now. test/e2e/messages.test.ts fails when the API gains
 * an error code that has no message here.
 */

export interface Problem {
  /** HTTP status; 0 when no answer arrived. */
  status: number;
  code: string;
  details?: unknown[];
}

/** Appended when a payment's outcome is unknown: the retry reuses the same Idempotency-Key. */
export const PAYMENT_RETRY_HINT = '付款结果尚未确认,请点“重试”,同一笔付款不会重复扣款。';

/** Appended when issuing's outcome is unknown: the retry reuses the key, so no second invoice. */
export const ISSUE_RETRY_HINT = '开票结果尚未确认,请点“重试开具”,同一张账单不会重复开具。';

const CALL_STAFF = '如需帮助,请联系服务台工作人员。';

export const MESSAGES: Record<string, string> = {
  // Sign-in and permissions
  UNAUTHORIZED: '登录已失效或登录码无效,请重新登录。',
  NO_ROLE: '当前账号还没有开通收费权限,请换用已开通的账号登录。',
  ROLE_NOT_ALLOWED: '当前账号不能办理这项业务,请换用有权限的账号登录。',
  OUTSIDE_ESTATE: '当前账号不属于这个小区,请换用本小区的账号登录。',
  CHANNEL_NOT_ALLOWED: '这里不能使用这种付款方式,请选择其他付款方式。',

  // Not found
  NOT_FOUND: '没有找到相关记录,请核对后再试。',
  ROUTE_NOT_FOUND: `系统暂不支持这项操作。${CALL_STAFF}`,
  METHOD_NOT_ALLOWED: `系统暂不支持这项操作。${CALL_STAFF}`,
  ESTATE_NOT_FOUND: `没有找到本小区的资料。${CALL_STAFF}`,
  UNIT_NOT_FOUND: '没有找到这套房屋,请核对楼栋和房号。',
  INVOICE_NOT_FOUND: '没有找到这张账单,请刷新后再试。',
  RECEIPT_NOT_FOUND: '没有找到这张收据,请核对收据号。',
  CREDIT_NOTE_NOT_FOUND: '没有找到这张红冲凭证,请核对凭证号。',
  SESSION_NOT_FOUND: '没有找到这辆车的停车记录,请核对车牌号。',
  RENOVATION_NOT_FOUND: '没有找到这条装修登记,请核对后再试。',
  REFUND_NOT_FOUND: '没有找到这笔押金退款记录,请核对后再试。',

  // State conflicts
  ALREADY_PAID: '这笔费用已经付过了,无需重复支付。',
  INVOICE_PAID: '这张账单已经付款,不能作废;如需退款,请办理红冲。',
  INVOICE_VOID: '这张账单已经作废,无需付款。',
  ALREADY_VOID: '这张账单已经作废过了。',
  ALREADY_CREDITED: '这张账单已经红冲过了。',
  NOT_PAID: '这张账单还没有付款,无需红冲,可以直接作废。',
  PERIOD_ALREADY_BILLED: '这段期间的账单已经开具,请在待缴账单中直接收款。',
  REQUEST_IN_PROGRESS: '这笔业务正在处理中,请稍候几秒再查看结果,不会重复扣款。',
  SESSION_CLOSED: '这辆车的停车记录已经结束,无需缴费。',
  PARKS_FREE: '这辆车在本小区免费停放,无需缴费。',
  NOTHING_DUE: '目前仍在免费停车时段内,无需缴费。',
  NO_ENTRY_RECORDED: '没有这辆车的入场记录,请核对车牌号。',
  ENTRY_BEFORE_LAST_EXIT: '入场时间早于上次离场时间,请核对时间。',
  RENTAL_OVERLAP: '这辆车在这段时间已经租有车位,无需重复办理。',
  UNIT_EXISTS: '这个楼栋和房号已经登记过了。',
  SPACE_EXISTS: '这个车位已经登记过了。',
  TARIFF_EXISTS: '这一天生效的收费标准已经存在。',
  ESTATE_EXISTS: '这个小区编号已经被使用。',
  RENOVATION_IN_PROGRESS: '这套房屋已有进行中的装修登记。',
  TOO_MANY_INSPECTIONS: '复查次数已达上限,请联系管理处处理。',
  CASE_CHANGED: '这条装修登记刚刚被其他人更新,请刷新后再试。',
  ILLEGAL_TRANSITION: '这条装修登记当前的状态不能办理这一步,请刷新后查看。',
  CONCURRENT_CHANGE: '这张账单刚刚被其他人处理过,本次没有生效,请刷新后再查看。',
  DEPOSIT_IN_USE: '这笔保证金已进入验收或退还流程,不能红冲,请联系管理处处理。',
  IDEMPOTENCY_KEY_REUSED: '这次请求与刚才的不一致,请重新发起付款。',

  // Bad input (400); details name the field
  INVALID_INPUT: '填写的内容有误,请检查后再试。',
  REQUIRED: '还有必填的内容没有填写。',
  IDEMPOTENCY_KEY_REQUIRED: '付款请求缺少防重复编号,请刷新页面后重新付款。',
  AMOUNT_MISMATCH: '付款金额与应付金额不一致,请刷新后按最新金额支付。',
  TENDERED_TOO_LOW: '实收金额少于应收金额,请核对后重新输入。',
  TENDERED_NOT_CASH: '只有现金付款需要填写实收金额。',
  REFERENCE_REQUIRED: '缺少支付终端的交易参考号,请重新支付。',
  INVALID_CHANNEL: '请选择一种付款方式。',
  INVALID_MONEY: '金额格式不正确,请输入如 3000 或 3000.00 的金额。',
  INVALID_AREA: '面积格式不正确,请输入如 89.56 的面积。',
  INVALID_RATE: '单价格式不正确,请核对后再试。',
  INVALID_NUMBER: '数量不正确,请输入整数。',
  INVALID_DATE: '日期不正确,请按 年-月-日 填写。',
  INVALID_TIMESTAMP: '时间不正确,请核对后再试。',
  INVALID_PLATE: '车牌号不正确,请输入如 粤B12345 的车牌(新能源车为8位)。',
  INVALID_CURSOR: '列表已经更新,请重新查询。',
  ONE_PARTY: '请按房屋或按车牌查询收据,二者选一。',
  UNIT_NOT_IN_ESTATE: '这套房屋不属于当前小区,请核对后再查。',
  INVALID_JSON: '提交的内容无法识别,请刷新页面后再试。',
  INVALID_PATH: '地址不正确,请刷新页面后再试。',
  BODY_REQUIRED: '提交的内容为空,请填写后再试。',
  BODY_TOO_LARGE: '提交的内容过长,请精简后再试。',
  PAYLOAD_TOO_LARGE: '提交的内容过长,请精简后再试。',
  BUILDING_REQUIRED: '请同时填写楼栋和房号。',
  NO_SPACES: '这套房屋没有登记自有或使用权车位,请不要勾选车位服务费。',
  NO_BILLABLE_SPACE: '这套房屋的车位从以后的年度才开始收费,本次请不要勾选车位服务费。',
  SPACES_MISMATCH: '车位个数与登记的不一致,请不要填写车位个数,系统会按登记的车位收费。',
  FEE_NOT_BILLABLE_HERE: '装修保证金和装修证工本费只在办理装修登记时收取,请到装修登记办理。',
  NO_ITEMS: '请至少选择一个收费项目。',
  DUPLICATE_ITEM: '同一个收费项目只能选择一次。',
  TOO_MANY_LINES: '一张账单的项目太多,请分开开具。',
  TOO_MANY_PERIODS: '欠缴的年度较多,请按年数分几次开具。',
  NOT_A_UNIT_ITEM: '这个项目不能开在房屋账单上,请到停车业务中办理。',
  NOT_A_PERIOD_START: '所选日期不是计费年度的起始日,请核对后再试。',
  UNKNOWN_ITEM_TYPE: '收费项目不正确,请重新选择。',
  UNKNOWN_UNIT_TYPE: '房屋类型不正确,请核对房屋资料。',
  UNKNOWN_RENTAL_KIND: '车位类型不正确,请重新选择。',
  EXIT_BEFORE_ENTRY: '离场时间早于入场时间,请核对时间。',
  STAY_TOO_LONG: `停车时间超过90天,需由工作人员核实后处理。${CALL_STAFF}`,
  AT_TOO_OLD: '计费时间已过去太久,请重新查询后再付款。',
  FUTURE_DATE: '日期不能晚于今天。',
  TOO_EARLY: '现在还不能办理,请在可办理日期当天或之后再操作。',
  WRONG_YEAR: '日期与所选年份不一致,请核对后再试。',
  CONTRADICTORY_DAYS: '同一天不能既是节假日又是调休上班日。',
  INVALID_BANDS: '停车收费时段设置不正确:时段须从短到长、不重叠、不留空档。',
  NOTICE_TOO_LATE: '新收费标准的公示日期距生效日不足规定天数。',
  NOT_AFTER_LATEST_VERSION: '新收费标准的生效日期须晚于现行标准。',
  NO_TARIFF: `这一天没有适用的收费标准。${CALL_STAFF}`,
  QUOTE_EXPIRED: '停车费已按当前时间重新计算,请确认金额后再支付。',
  KIOSK_CHANNEL_NOT_SELF_REPORTED: '微信、支付宝和刷卡付款须由支付机构确认,请在自助机上扫码支付。',
  PROVIDER_NOT_CONFIGURED: `本小区暂未开通这种付款方式,请选择其他方式。${CALL_STAFF}`,
  PAYMENT_ORDER_NOT_FOUND: '没有找到这笔付款订单,请重新发起支付。',
  PAYMENT_EXCEPTION_NOT_FOUND: '没有找到这笔待处理款项,请刷新后再试。',
  EXCEPTION_RESOLVED: '这笔待处理款项已经处理过了。',
  REFUND_IN_PROGRESS: '这笔款项已申请原路退款,结果未定,不能再入账;请再次提交退款以确认结果。',
  REFUND_REFUSED: '支付机构拒绝了这笔退款,钱没有退出;可以改为入账,或排除原因后再退款。',
  INVOICE_REQUIRED: '请选择要入账的账单。',
  OTHER_ESTATE: '所选账单不属于这个小区,请核对。',
  // A provider notification's failure answer (the provider retries it); never shown to a person.
  FAIL: `付款通知未能处理。${CALL_STAFF}`,
  AT_IN_FUTURE: '时间不能晚于现在,请核对后再试。',
  GATE_CLOCK_SKEW: `出口道闸的时间与入口不一致,请稍候再试一次。${CALL_STAFF}`,
  BEFORE_DELIVERY: '所填日期早于房屋交付日期,请核对后再试。',
  START_DATE_TOO_EARLY: '租用开始日期最早只能是一个月前,请重新选择。',
  START_DATE_TOO_LATE: '租用开始日期最晚只能是一年后,请重新选择。',
  RANGE_REVERSED: '结束日期早于开始日期,请调整后再试。',
  AS_OF_TOO_FAR: '统计日期最多只能选在一年以后,请重新选择。',
  NO_ARREARS: '这套房屋目前没有欠费,不需要催缴通知单。',
  INVALID_AMOUNT: '金额须大于0,请核对后再试。',
  DEDUCTIONS_EXCEED_DEPOSIT: '扣款合计超过了尚未退还的保证金,请核对扣款金额。',
  DEDUCTIONS_NEED_FAILURE: '只有复查不合格时才能扣款,请核对复查结果。',
  TOO_MANY_DEDUCTIONS: '扣款项目过多,请合并后再登记。',
  NOT_AFTER_PREVIOUS: '复查日期须晚于上一次复查,请核对日期。',
  NOT_LATER: '延期后的结束日期须晚于原结束日期。',
  NOT_AFTER_PERIOD_END: '延期后的结束日期须晚于现在的装修期结束日。',
  RENOVATION_PERIOD_EXPIRED: '装修期已过,须先登记延期才能办理竣工验收。',
  DATE_IN_FUTURE: '这一天还没有到,请在当天或之后办理。',
  OWN_CASHUP_ONLY: '收费员只能查看自己的日结。',
  ACCOUNT_NAME_MISSING: '新的会计科目须填写科目名称。',
  INVALID_ACCOUNT: '会计科目代码只能是数字,请核对后再试。',
  INVALID_NAME: '名称不能为空,也不能过长,请核对后再试。',
  INVALID_QUARTER: '季度的写法应为 2026Q3 这样的格式。',
  PART_TOO_LARGE: '一次导出的行数过多,请减少每份的行数后再试。',
  UNKNOWN_CHANNEL: '没有这种付款方式,请核对后再试。',
  UNKNOWN_FEE_CODE: '没有这个收费项目,请核对后再试。',
  INVALID_STATEMENT: '对账单格式不对,请从支付平台重新下载当日对账单。',
  RECONCILIATION_NOT_FOUND: '没有找到这次对账记录。',
  TOO_MANY_ROWS: '文件行数过多,请拆分后分批上传。',
  UNSUPPORTED_MEDIA_TYPE: '文件格式不对,请上传 Excel(.xlsx)或 CSV 文件。',
  // Roster import (期初建账).
  NO_HEADER: '表格第一行应是列名(楼栋、房号、类型、建筑面积、交付日期等),请检查后再上传。',
  INVALID_CSV: '这个 CSV 文件无法读取,请在 Excel 中另存为 CSV 或 Excel 文件后再上传。',
  INVALID_XLSX: '这个 Excel 文件无法读取,请用 Excel 或 WPS 另存后再上传。',
  INVALID_ROSTER: '表格中有错误的行,全部没有导入;请按检查结果修改后再导入。',
  IMPORT_NOT_FOUND: '没有找到这次导入的记录,请重新导入。',
  TOO_LONG: '单次延期的天数超过上限,请缩短延期时间。',
  TOO_MANY_EXTENSIONS: '延期次数已达上限,请联系管理处处理。',

  // Our side
  STORE_UNAVAILABLE: '系统繁忙,本次没有完成,请稍候片刻再试一次。',
  INTERNAL: `系统出了点问题,本次没有完成,请稍后再试一次。${CALL_STAFF}`,
  THROTTLED: '办理的人较多,请稍候几秒再试一次。',
  NETWORK: '网络连接中断,请检查网络后再试一次。',
  TIMEOUT: '网络较慢,暂时没有收到结果,请再试一次。',
};

/** Field names as the person at the screen knows them (details name fields like `items[0].spaces`). */
const FIELDS: Record<string, string> = {
  amount: '金额',
  tendered: '实收金额',
  reference: '交易参考号',
  channel: '付款方式',
  reason: '作废原因',
  plate: '车牌号',
  building: '楼栋',
  room: '房号',
  unitId: '房屋',
  invoiceId: '账单号',
  receiptNo: '收据号',
  sessionId: '停车记录',
  periods: '年数',
  spaces: '车位数',
  cards: '卡数',
  at: '计费时间',
  estateId: '小区',
  items: '收费项目',
};

function fieldName(path: unknown): string | undefined {
  if (typeof path !== 'string') return undefined;
  const last =
    path
      .replace(/\[\d+\]/g, '')
      .split('.')
      .pop() ?? '';
  return FIELDS[last];
}

const byStatus = (status: number): string => {
  if (status === 0) return MESSAGES['NETWORK']!;
  if (status === 400) return MESSAGES['INVALID_INPUT']!;
  if (status === 401) return MESSAGES['UNAUTHORIZED']!;
  if (status === 403) return MESSAGES['ROLE_NOT_ALLOWED']!;
  if (status === 404) return MESSAGES['NOT_FOUND']!;
  if (status === 409) return '这笔业务的状态刚刚发生了变化,请刷新后再查看。';
  if (status === 413) return MESSAGES['PAYLOAD_TOO_LARGE']!;
  if (status === 422) return MESSAGES['IDEMPOTENCY_KEY_REUSED']!;
  if (status === 429) return MESSAGES['THROTTLED']!;
  if (status === 503) return MESSAGES['STORE_UNAVAILABLE']!;
  return MESSAGES['INTERNAL']!;
};

/** The sentence to show for an API error. */
export function politeMessage(p: Problem): string {
  // A 400 names its fields: a specific rule (TENDERED_TOO_LOW) beats the generic "invalid input".
  for (const d of p.details ?? []) {
    const detail = d as { code?: unknown; field?: unknown };
    if (typeof detail.code === 'string' && MESSAGES[detail.code]) return MESSAGES[detail.code]!;
  }
  if (p.code !== 'INVALID_INPUT' && MESSAGES[p.code]) return MESSAGES[p.code]!;
  if (p.status === 400) {
    const names = [
      ...new Set((p.details ?? []).map((d) => fieldName((d as { field?: unknown }).field))),
    ].filter((n): n is string => n !== undefined);
    if (names.length) return `请检查“${names.join('”“')}”的填写,然后再试。`;
  }
  return MESSAGES[p.code] ?? byStatus(p.status);
}
