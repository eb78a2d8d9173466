// DOM helpers. Every piece of data reaches the page through textContent or
// an attribute set with setAttribute on a fixed, known attribute name: the
// page never assigns innerHTML, so a content id such as
// `<script>alert(1)</script>` is shown as the text it is.

export type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  [name: string]: string | number | boolean | undefined;
}

const kSvgNs = 'http://www.w3.org/2000/svg';

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(
        child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttrs(node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on')) {
      throw new Error(`attribute ${name}: use addEventListener`);
    }
    node.setAttribute(name, value === true ? '' : String(value));
  }
}

// An HTML element with attributes and children (text nodes for strings).
export function h<K extends keyof HTMLElementTagNameMap>(
    tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

// An SVG element (timelines, bars).
export function svg(tag: string, attrs: Attrs = {}, ...children: Child[]):
    SVGElement {
  const node = document.createElementNS(kSvgNs, tag) as SVGElement;
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

// Replaces the children of `parent`.
export function replaceChildren(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

// A button that runs `action` on click.
export function button(label: string, action: () => void,
                       attrs: Attrs = {}): HTMLButtonElement {
  const node = h('button', {type: 'button', ...attrs}, label);
  node.addEventListener('click', action);
  return node;
}

// A table: header cells, then rows of cells.
export function table(headers: string[], rows: Child[][],
                      attrs: Attrs = {}): HTMLTableElement {
  return h('table', attrs,
           h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
           h('tbody', {},
             ...rows.map((cells) => h('tr', {}, ...cells.map((c) => h('td', {}, c))))));
}
