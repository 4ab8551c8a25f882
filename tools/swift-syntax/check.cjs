#!/usr/bin/env node
// Reports tree-sitter syntax errors in the Swift files given, with file:line:column, and exits
// non-zero when there are any. Used on the hand-written Swift only: on UniFFI's generated file
// the grammar reports false positives (`#if swift(>=5.8)` attributes, `nonisolated(unsafe)`),
// and that file is held to the library by scripts/check-ffi-symbols.sh instead.
'use strict'
const fs = require('node:fs')
const Parser = require('tree-sitter')
const Swift = require('tree-sitter-swift')

const parser = new Parser()
parser.setLanguage(Swift)
let total = 0
for (const file of process.argv.slice(2)) {
  const tree = parser.parse(fs.readFileSync(file, 'utf8'))
  const problems = []
  const walk = (node) => {
    // The innermost error nodes point at the real spot; the outer ones only wrap them.
    if ((node.type === 'ERROR' && !node.children.some((c) => c.type === 'ERROR')) || node.isMissing) problems.push(node)
    for (const child of node.children) walk(child)
  }
  walk(tree.rootNode)
  for (const node of problems) {
    const where = `${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`
    console.log(`${where}: ${node.isMissing ? `missing ${node.type}` : `cannot parse ${JSON.stringify(node.text.slice(0, 40))}`}`)
  }
  total += problems.length
}
console.log(`${process.argv.length - 2} Swift files parsed, ${total} syntax errors`)
process.exit(total === 0 ? 0 : 1)
