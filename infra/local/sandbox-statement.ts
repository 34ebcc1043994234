/**
 * The sandbox's daily statement files, in the providers' layouts, of the trades it saw paid on a
 * Beijing date: WeChat Pay's trade bill (交易账单: every cell back-quoted, a 总交易单数 summary)
 * and Alipay's business statement (业务明细: `#` comment lines around the table). Only the
 * columns a merchant's reconciliation reads carry values; the rest are left empty as in a bill
 * without coupons or fees.
 */
import { formatFen, sumFen } from '../../lib/money.js';
import { alipayTime } from '../../lib/payments/alipay.js';
import type { SandboxTrade } from './sandbox.js';

const WECHAT_HEADER = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
];

const ALIPAY_HEADER = [
  '支付宝交易号',
  '商户订单号',
  '业务类型',
  '商品名称',
  '创建时间',
  '完成时间',
  '门店编号',
  '门店名称',
  '操作员',
  '终端号',
  '对方账户',
  '订单金额（元）',
  '商家实收（元）',
  '支付宝红包（元）',
  '集分宝（元）',
  '支付宝优惠（元）',
  '商家优惠（元）',
  '券核销金额（元）',
  '券名称',
  '商家红包消费金额（元）',
  '卡消费金额（元）',
  '退款批次号/请求号',
  '服务费（元）',
  '分润（元）',
  '备注',
];

export function paidOn(trades: Iterable<SandboxTrade>, provider: SandboxTrade['provider'], date: string) {
  return [...trades]
    .filter((t) => t.provider === provider && t.state === 'SUCCESS' && t.paidAtMs !== undefined)
    .filter((t) => alipayTime(t.paidAtMs!).slice(0, 10) === date)
    .sort((a, b) => a.paidAtMs! - b.paidAtMs!);
}

export function wechatStatement(trades: SandboxTrade[], ids: { appid: string; mchid: string }): string {
  const rows = trades.map((t) => {
    const amount = formatFen(t.paidAmount!);
    const cells: Record<string, string> = {
      交易时间: alipayTime(t.paidAtMs!),
      公众账号ID: ids.appid,
      商户号: ids.mchid,
      微信订单号: t.transactionId!,
      商户订单号: t.outTradeNo,
      交易类型: 'NATIVE',
      交易状态: 'SUCCESS',
      货币种类: 'CNY',
      应结订单金额: amount,
      代金券金额: '0.00',
      退款金额: '0.00',
      商品名称: t.description,
      手续费: '0.00',
      费率: '0.60%',
      订单金额: amount,
    };
    return WECHAT_HEADER.map((h) => `\`${cells[h] ?? ''}`).join(',');
  });
  const total = formatFen(sumFen(trades.map((t) => t.paidAmount!)));
  return [
    WECHAT_HEADER.join(','),
    ...rows,
    '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
    [String(trades.length), total, '0.00', '0.00', '0.00', total, '0.00'].map((v) => `\`${v}`).join(','),
    '',
  ].join('\r\n');
}

export function alipayStatement(trades: SandboxTrade[], ids: { appId: string }, date: string): string {
  const rows = trades.map((t) => {
    const amount = formatFen(t.paidAmount!);
    const cells: Record<string, string> = {
      支付宝交易号: t.transactionId!,
      商户订单号: t.outTradeNo,
      业务类型: '交易',
      商品名称: t.description,
      创建时间: alipayTime(t.paidAtMs!),
      完成时间: alipayTime(t.paidAtMs!),
      对方账户: 'sandbox-buyer',
      '订单金额（元）': amount,
      '商家实收（元）': amount,
      '服务费（元）': '0.00',
    };
    return ALIPAY_HEADER.map((h) => cells[h] ?? '').join(',');
  });
  const total = formatFen(sumFen(trades.map((t) => t.paidAmount!)));
  return [
    '#支付宝业务明细查询',
    `#账号：[${ids.appId}]`,
    `#起始日期：[${date} 00:00:00]   终止日期：[${date} 23:59:59]`,
    '#-----------------------------------------业务明细列表----------------------------------------',
    ALIPAY_HEADER.join(','),
    ...rows,
    '#-----------------------------------------业务明细列表结束------------------------------------',
    `#交易合计：${trades.length}笔，商家实收共${total}元`,
    '#退款合计：0笔',
    '',
  ].join('\r\n');
}
