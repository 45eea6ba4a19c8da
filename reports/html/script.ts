/**
 * The report's one inline script (no module, no request, ~2 KB). It adds,
 * to a page that reads fine without it:
 *
 * - a tooltip: hovering a timeline element shows its event — a belief
 *   interval's client, token, span and why it ended (from `data-hold`,
 *   `data-token`, `data-why`, its x and width), anything else its
 *   `data-tip` with its time (from its x: ms from the workload's start),
 *   a violation also its true time (`data-at`);
 * - zoom: a click on a violation (its marker, `data-violation`, or its list
 *   item, `data-goto`) sets the run's inner SVG's viewBox to a window
 *   around its time and redraws the axis; "reset zoom" restores it;
 * - matrix cells are plain links to `#r<i>-<j>` (no script needed).
 *
 * `niceStep`/`label` repeat format.ts's `niceStepMs`/`tickLabel`, and G/W
 * timeline-svg.ts's GUTTER_PX/PLOT_PX, so a redrawn axis matches the first.
 */
import { GUTTER_PX, PLOT_PX } from './timeline-svg.ts';

const SCRIPT = `(()=>{
const G=${GUTTER_PX},W=${PLOT_PX},d=document,tip=d.getElementById('tip');
const f=ms=>Math.abs(ms)>=1000?+(ms/1000).toFixed(3)+' s':+ms.toFixed(3)+' ms';
const niceStep=s=>{const r=Math.max(s,1e-3)/8,m=10**Math.floor(Math.log10(r)),n=r/m;return(n<1.5?1:n<3.5?2:n<7.5?5:10)*m};
const label=(t,s)=>s>=1000?+(t/1000).toFixed(6)+'s':+t.toFixed(6)+'ms';
const xOf=e=>{const a=e.getAttribute('x')??e.getAttribute('x1');if(a!==null)return+a;const p=/^M(-?[0-9.]+)/.exec(e.getAttribute('d')||'');return p?+p[1]:NaN};
function say(e){const D=e.dataset,x=xOf(e),w=+e.getAttribute('width');
if(D.hold!==undefined)return D.hold+' holds the lock'+(D.token?' (token '+D.token+')':'')+': '+f(x)+' → '+(e.classList.contains('op')?"the run's end":f(x+w)+', '+(D.why||'released'));
let s=D.tip||'';if(!isNaN(x))s+=' · '+(w>0?f(x)+' → '+f(x+w):'at '+f(x));if(D.at)s+=' (true time '+D.at+' µs)';return s}
d.addEventListener('mouseover',e=>{const t=e.target.closest?e.target.closest('[data-hold],[data-tip]'):null;if(!t){tip.style.display='none';return}tip.textContent=say(t);tip.style.display='block'});
d.addEventListener('mousemove',e=>{if(tip.style.display!=='block')return;tip.style.left=Math.max(0,Math.min(e.clientX+12,innerWidth-tip.offsetWidth-8))+'px';tip.style.top=(e.clientY+16)+'px'});
function axis(v,a,b){const h=v.getAttribute('height'),s=niceStep(b-a);let o='';for(let k=Math.ceil(a/s);k*s<=b;k++){const t=k*s,p=(G+(t-a)/(b-a)*W).toFixed(1);o+='<path d="M'+p+' 14V'+h+'"/><text x="'+p+'" y="11">'+label(t,s)+'</text>'}v.querySelector('.ax').innerHTML=o}
function zoom(v,a,b){const x0=+v.dataset.x0,x1=+v.dataset.x1;a=Math.max(a,x0);b=Math.min(b,x1);if(!(b>a))return;const p=v.querySelector('.pl'),h=p.getAttribute('viewBox').split(' ')[3];p.setAttribute('viewBox',+a.toFixed(3)+' 0 '+ +(b-a).toFixed(3)+' '+h);axis(v,a,b);const r=v.closest('.run').querySelector('.rz');if(r)r.hidden=a===x0&&b===x1}
d.addEventListener('click',e=>{const t=e.target;if(!t.closest)return;
const z=t.closest('.rz');if(z){const v=z.closest('.run').querySelector('svg.tl');if(v)zoom(v,+v.dataset.x0,+v.dataset.x1);return}
const m=t.closest('[data-violation],[data-goto]');if(!m)return;const run=m.closest('.run'),v=run&&run.querySelector('svg.tl');if(!v)return;
const x=(+(m.dataset.at??m.dataset.goto)-+v.dataset.ready)/1000,w=Math.max((+v.dataset.x1-+v.dataset.x0)/20,50);
zoom(v,x-w,x+w);if(!v.contains(m))v.scrollIntoView({block:'nearest'})});
})();`;

/** The script's text (no `</script>` inside). */
export function reportScript(): string {
  return SCRIPT;
}
