// Loads URL in headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM)
// through puppeteer-core, waits until the page sets window.__done, and prints
// the text of its #result element. The page's console goes to stderr. Gives
// up after 60 s; the browser is closed in every case.
//   node browser.cjs URL
'use strict'
const puppeteer = require('puppeteer-core')

async function main(url) {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  })
  try {
    const page = await browser.newPage()
    page.on('console', (m) => console.error(`console: ${m.text()}`))
    page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`))
    await page.goto(url)
    await page.waitForFunction('window.__done === true', { timeout: 60000 })
    console.log(await page.$eval('#result', (e) => e.textContent))
    console.error(`browser: ${await browser.version()}`)
  } finally {
    await browser.close()
  }
}

main(process.argv[2]).catch((e) => { console.error(e); process.exit(1) })
