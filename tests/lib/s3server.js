// A real S3-compatible server for tests: @20minutes/s3rver (verifies SigV4
// signatures; credentials S3RVER / S3RVER), behind a small front that can
// inject faults. Listens on 127.0.0.1 only.
//   node s3server.js PORT DATA_DIR BUCKET...
// The front reads DATA_DIR/../fault before each request: "500" answers
// 500 InternalError, "reset" drops the connection, "silent" never answers,
// "shortkey" answers a
// listing with a key shorter than any prefix, anything else (or no file)
// passes the request through. Prints "ready" when listening.
// Every request is logged to DATA_DIR/../requests.log as
// "METHOD PATH signed=<SignedHeaders of its Authorization, or -> token=<no|LENGTH:SHA256-HEX>"
// (the session token as it arrived: its length and hash, never the token).
'use strict'
const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const S3rver = require('@20minutes/s3rver')

const [port, dir, ...buckets] = process.argv.slice(2)
const faultFile = path.join(path.dirname(dir), 'fault')
const requestLog = path.join(path.dirname(dir), 'requests.log')

async function main() {
  const inner = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name })),
  })
  const { port: innerPort } = await inner.run()
  const front = http.createServer((req, res) => {
    const auth = req.headers.authorization || ''
    const signed = (auth.match(/SignedHeaders=([^,]*)/) || [])[1] || '-'
    const t = req.headers['x-amz-security-token']
    const token = t ? `${Buffer.byteLength(t)}:${crypto.createHash('sha256').update(t).digest('hex')}` : 'no'
    fs.appendFileSync(requestLog, `${req.method} ${req.url} signed=${signed} token=${token}\n`)
    let fault = ''
    try { fault = fs.readFileSync(faultFile, 'utf8').trim() } catch (e) { /* no fault */ }
    if (fault === 'reset') { req.socket.destroy(); return }
    if (fault === 'silent') return // accepts the request and never answers
    if (fault === 'shortkey' && req.method === 'GET' && /[?&]list-type=2/.test(req.url)) {
      res.writeHead(200, { 'Content-Type': 'application/xml' })
      res.end('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Key>x</Key>' +
        '<IsTruncated>false</IsTruncated></ListBucketResult>')
      return
    }
    if (fault === '500') {
      res.writeHead(500, { 'Content-Type': 'application/xml' })
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test</Message></Error>')
      return
    }
    const up = http.request({ host: '127.0.0.1', port: innerPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers)
      r.pipe(res)
    })
    up.on('error', () => { req.socket.destroy() })
    req.pipe(up)
  })
  front.keepAliveTimeout = 5000
  front.listen(Number(port), '127.0.0.1', () => console.log('ready'))
}
main().catch((e) => { console.error(e); process.exit(1) })
