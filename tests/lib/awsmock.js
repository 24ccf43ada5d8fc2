// A stand-in for AWS STS, the ECS container endpoint and EC2 instance
// metadata (IMDSv2), for the
// credentials chain's tests; every credential it hands out is the test S3
// server's key (S3RVER / S3RVER) with a session token of its own, so the
// signature-checking S3 server accepts them. Listens on 127.0.0.1 only.
//   node awsmock.js PORT LOG EXPIRES_S WEB_IDENTITY_TOKEN
// STS: GET /?Action=AssumeRoleWithWebIdentity&...&WebIdentityToken=T answers
// credentials valid for EXPIRES_S seconds (token "sts-N") when T is the one given.
// IMDSv2: PUT /latest/api/token (with the TTL header) gives a session token;
// the role list and the role's credentials ("imds-N") need it.
// Container endpoint (ECS, EKS Pod Identity): GET /v2/credentials/ID with
// "Authorization: <the web identity token>" gives credentials ("ecs-N").
// Each request is logged to LOG as "METHOD PATH ok|refused".
'use strict'
const http = require('node:http')
const fs = require('node:fs')

const [port, log, expires, webToken] = process.argv.slice(2)
let n = 0
const session = 'imds-session-token'

function line(req, verdict) {
  fs.appendFileSync(log, `${req.method} ${req.url.split('?')[0]} ${verdict}\n`)
}

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x')
  const exp = new Date(Date.now() + Number(expires) * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
  if (req.method === 'GET' && url.searchParams.get('Action') === 'AssumeRoleWithWebIdentity') {
    if (url.searchParams.get('WebIdentityToken') !== webToken || !url.searchParams.get('RoleArn')) {
      line(req, 'refused')
      res.writeHead(403, { 'Content-Type': 'text/xml' })
      res.end('<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad web identity token</Message></Error></ErrorResponse>')
      return
    }
    line(req, 'ok')
    n++
    res.writeHead(200, { 'Content-Type': 'text/xml' })
    res.end('<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>' +
      `<AccessKeyId>S3RVER</AccessKeyId><SecretAccessKey>S3RVER</SecretAccessKey><SessionToken>sts-${n}</SessionToken>` +
      `<Expiration>${exp}</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`)
    return
  }
  if (req.method === 'PUT' && url.pathname === '/latest/api/token') {
    const ok = !!req.headers['x-aws-ec2-metadata-token-ttl-seconds']
    line(req, ok ? 'ok' : 'refused')
    res.writeHead(ok ? 200 : 400)
    res.end(ok ? session : '')
    return
  }
  if (req.method === 'GET' && url.pathname.startsWith('/latest/meta-data/iam/security-credentials/')) {
    const ok = req.headers['x-aws-ec2-metadata-token'] === session
    line(req, ok ? 'ok' : 'refused')
    if (!ok) { res.writeHead(401); res.end(); return }
    if (url.pathname.endsWith('/')) { res.writeHead(200); res.end('remotegen-role\n'); return }
    n++
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ Code: 'Success', AccessKeyId: 'S3RVER', SecretAccessKey: 'S3RVER', Token: `imds-${n}`, Expiration: exp }))
    return
  }
  if (req.method === 'GET' && url.pathname.startsWith('/v2/credentials/')) {
    const ok = req.headers.authorization === webToken
    line(req, ok ? 'ok' : 'refused')
    if (!ok) { res.writeHead(401); res.end(); return }
    n++
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ AccessKeyId: 'S3RVER', SecretAccessKey: 'S3RVER', Token: `ecs-${n}`, Expiration: exp, RoleArn: 'arn:aws:iam::123456789012:role/remotegen' }))
    return
  }
  line(req, 'unknown')
  res.writeHead(404)
  res.end()
}).listen(Number(port), '127.0.0.1', () => console.log('ready'))
