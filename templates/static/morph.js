// In-place row swaps for the live list: a fresh copy of the list is merged into the page's.

function identity(node) {
  if (node.nodeType !== 1) return null;
  if (node.matches('li.call')) return 'li:' + node.dataset.id;
  if (node.matches('ul')) return 'ul:' + node.dataset.group;
  return node.tagName + ':' + node.textContent.trim();
}
/**
 * Makes `current`'s children match `fresh`'s without touching what did not change: rows with the same key stay
 * the very same nodes (focus, selection and a screen reader's place survive); changed rows are swapped; nothing
 * that stays is moved unless the order itself changed.
 */
export function morph(current, fresh) {
  var wanted = Array.prototype.filter.call(fresh.childNodes, function (n) { return n.nodeType === 1; });
  var ids = wanted.map(identity);
  Array.prototype.slice.call(current.children).forEach(function (child) { if (ids.indexOf(identity(child)) === -1) child.remove(); });
  wanted.forEach(function (node, i) {
    var id = ids[i];
    var existing = Array.prototype.find.call(current.children, function (c) { return identity(c) === id; });
    var use;
    if (existing && existing.matches('ul')) { morph(existing, node); use = existing; }
    else if (existing && (!existing.matches('li.call') || existing.dataset.key === node.dataset.key)) use = existing;
    else {
      use = document.importNode(node, true);
      if (existing) {
        var hadFocus = existing.contains(document.activeElement);
        existing.replaceWith(use);
        if (hadFocus) { var link = use.querySelector('a, button'); if (link) link.focus(); }
      }
    }
    if (current.children[i] !== use) current.insertBefore(use, current.children[i] || null);
  });
}
