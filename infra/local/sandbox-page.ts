/** The sandbox's pay page: what the owner's phone would show after scanning the kiosk's QR code. */
import { formatFen } from '../../lib/money.js';
import type { SandboxTrade } from './sandbox.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function payPage(t: SandboxTrade | undefined): string {
  if (!t) return '<!doctype html><meta charset="utf-8"><title>沙箱支付</title><p>订单不存在。</p>';
  const wallet = t.provider === 'WECHAT' ? '微信支付' : '支付宝';
  const state = { NOTPAY: '待支付', SUCCESS: '已支付', CLOSED: '已关闭' }[t.state];
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${wallet}(沙箱)</title></head>
<body style="font-family:sans-serif;max-width:24rem;margin:2rem auto">
<h1>${wallet} · 本地沙箱</h1>
<p>${escapeHtml(t.description)}</p>
<p style="font-size:2rem">¥ <span id="amount">${formatFen(t.amount)}</span></p>
<p>状态:<span id="state">${state}</span></p>
<button id="pay" ${t.state === 'NOTPAY' ? '' : 'disabled'}>确认支付</button>
<p id="result"></p>
<script>
document.getElementById('pay').addEventListener('click', async (e) => {
  e.target.disabled = true;
  const res = await fetch('/local/sandbox/pay', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outTradeNo: ${JSON.stringify(t.outTradeNo)} }) });
  document.getElementById('result').textContent = res.ok ? '支付成功,请查看自助机屏幕。' : '支付失败:' + res.status;
  if (res.ok) document.getElementById('state').textContent = '已支付';
});
</script></body></html>`;
}
