// domify (HTML text → DOM nodes) under this site's Content-Security-Policy, which refuses style
// attributes in parsed markup (style-src 'self'). The libraries write a few (the properties panel's
// containers, the align-elements icons): they are parsed as data attributes and then applied through
// the CSSOM, which the policy allows. scripts/build-assets.sh aliases the package `domify` to this.
import domify from '../../node_modules/domify/index.js';

const STYLE = /\sstyle=("[^"]*"|'[^']*')/g;
const HELD = 'data-csp-style';

export default function domifyUnderCsp(html, document) {
  const held = String(html).replace(STYLE, (match, quoted) => ' ' + HELD + '=' + quoted);
  const node = document ? domify(held, document) : domify(held);
  const nodes = node.nodeType === 11 ? Array.from(node.childNodes) : [ node ];
  nodes.forEach(root => {
    if (root.nodeType !== 1) { return; }
    [ root ].concat(Array.from(root.querySelectorAll('[' + HELD + ']'))).forEach(el => {
      if (el.hasAttribute(HELD)) {
        el.style.cssText = el.getAttribute(HELD);
        el.removeAttribute(HELD);
      }
    });
  });
  return node;
}
