'use strict'
// level-party's side of `bench/run.sh party` (io.levelparty.bench.SideBySide): one process of a
// scenario, driven by lines on standard input, one reply line each on standard output, the same
// lines as the Java children (LoadChild's write job, SideBySideChild). Times are
// process.hrtime.bigint() nanoseconds: CLOCK_MONOTONIC, the clock of Java's System.nanoTime() on
// Linux, which the harness checks with the clock job before it compares times across processes.
//
//   node party.js serve DIR ENTRIES        puts ENTRIES entries "k"+i, then serves   -> READY role
//   node party.js hold DIR                 opens and does nothing                    -> READY role
//   node party.js write DIR PAUSE_MICROS   puts from the start, pausing between puts -> READY role
//       "role" -> ROLE role    "since K D" -> GAP ns from K to the ack of the first put issued at
//       or after D, or GAP none    "close" -> CLOSED t, t taken just before close() was called
//   node party.js ops DIR                  -> READY role, then
//       "warm put|get N" -> WARM   "run put|get SECONDS" -> DONE ops nanos   (one at a time, awaited)
//       "scan ENTRIES WARMUPS RUNS" -> SCANNED entries medianNanos
//   node party.js cold DIR                 joins DIR's party, puts one entry, prints the ms from the
//                                          start of this script to the ack, and exits
//   node party.js clock                    -> READY CLOCK, then "now" -> NOW t
// Closing standard input closes the database and ends the process.
const started = process.hrtime.bigint()
const readline = require('readline')
const level = require('level-party')

const VALUE = 'v'.repeat(100)
const WRITER_KEYS = 1000
const WRITE_LOG = 1 << 20

const [job, dir, arg] = process.argv.slice(2)

function reply (line) {
  process.stdout.write(line + '\n')
}

function open () {
  const db = level(dir, { valueEncoding: 'utf8' })
  db.leads = false
  db.on('leader', () => { db.leads = true })
  return db
}

function role (db) {
  return db.leads ? 'LEADER' : 'FOLLOWER'
}

// A first write: once it is acknowledged, this process leads or is connected to the leader.
async function ready (db) {
  await db.put('ready-' + process.pid, VALUE)
  reply('READY ' + role(db))
}

function commands (onLine, onEnd) {
  const lines = readline.createInterface({ input: process.stdin })
  let chain = Promise.resolve()
  lines.on('line', line => { chain = chain.then(() => onLine(line.split(' '))) })
  lines.on('close', () => { chain.then(onEnd) })
}

function closeAndExit (db) {
  return () => db.close(() => process.exit(0))
}

function sleep (ms) {
  return new Promise(resolve => setTimeout(resolve, ms))
}

async function serve () {
  const db = open()
  const entries = Number(arg)
  for (let start = 0; start < entries; start += 1000) {
    const batch = db.batch()
    for (let i = start; i < Math.min(entries, start + 1000); i++) batch.put('k' + i, VALUE)
    await batch.write()
  }
  await ready(db)
  commands(() => {}, closeAndExit(db))
}

async function hold () {
  const db = open()
  await ready(db)
  commands(words => { if (words[0] === 'role') reply('ROLE ' + role(db)) }, closeAndExit(db))
}

async function write () {
  const db = open()
  const pauseMs = Number(arg) / 1000
  const issued = new BigInt64Array(WRITE_LOG)
  const acked = new BigInt64Array(WRITE_LOG)
  let written = 0
  let closed = false
  const prefix = 'w' + process.pid + '-'
  await ready(db)
  ;(async () => {
    for (let i = 0; !closed; i++) {
      const start = process.hrtime.bigint()
      try {
        await db.put(prefix + (i % WRITER_KEYS), VALUE)
      } catch (e) {
        continue // no leader in time: try the next write
      }
      const slot = written % WRITE_LOG
      issued[slot] = start
      acked[slot] = process.hrtime.bigint()
      written++
      if (pauseMs > 0) await sleep(pauseMs)
    }
  })()
  commands(words => {
    if (words[0] === 'role') {
      reply('ROLE ' + role(db))
    } else if (words[0] === 'since') {
      const from = BigInt(words[1])
      const issuedFrom = BigInt(words[2])
      let gap = 'none'
      for (let i = Math.max(0, written - WRITE_LOG); i < written; i++) {
        if (issued[i % WRITE_LOG] >= issuedFrom) {
          gap = String(acked[i % WRITE_LOG] - from)
          break
        }
      }
      reply('GAP ' + gap)
    } else if (words[0] === 'close') {
      closed = true
      const at = process.hrtime.bigint()
      return new Promise(resolve => db.close(() => { reply('CLOSED ' + at); resolve() }))
    }
  }, () => (closed ? process.exit(0) : closeAndExit(db)()))
}

async function ops () {
  const db = open()
  await ready(db)
  let next = 0
  let written = 0
  async function one (op) {
    if (op === 'put') {
      await db.put('k' + next++, VALUE)
      written = Math.max(written, next)
    } else {
      await db.get('k' + (next++ % written))
    }
  }
  commands(async words => {
    const [command, op, amount] = words
    if (command === 'warm') {
      next = 0
      for (let i = 0; i < Number(amount); i++) await one(op)
      reply('WARM')
    } else if (command === 'run') {
      const start = process.hrtime.bigint()
      const deadline = start + BigInt(amount) * 1000000000n
      let n = 0
      for (let now = start; now < deadline; now = process.hrtime.bigint()) {
        await one(op)
        n++
      }
      reply('DONE ' + n + ' ' + (process.hrtime.bigint() - start))
    } else if (command === 'scan') {
      const [, entries, warmups, runs] = words.map(Number)
      const times = []
      let seen = 0
      for (let r = 0; r < warmups + runs; r++) {
        const start = process.hrtime.bigint()
        seen = 0
        for await (const [key, value] of db.iterator({ limit: entries })) {
          if (key.length + value.length > 0) seen++
        }
        if (r >= warmups) times.push(process.hrtime.bigint() - start)
      }
      times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      reply('SCANNED ' + seen + ' ' + times[Math.ceil(times.length / 2) - 1])
    }
  }, closeAndExit(db))
}

async function cold () {
  const db = open()
  await db.put('k' + process.pid, 'v')
  const acked = process.hrtime.bigint()
  if (db.leads) throw new Error('expected to follow the running leader of ' + dir)
  reply(String(Number(acked - started) / 1e6))
  db.close(() => process.exit(0))
}

function clock () {
  reply('READY CLOCK')
  commands(words => { if (words[0] === 'now') reply('NOW ' + process.hrtime.bigint()) }, () => process.exit(0))
}

const jobs = { serve, hold, write, ops, cold, clock }
if (!jobs[job]) {
  console.error('unknown job ' + job)
  process.exit(2)
}
Promise.resolve(jobs[job]()).catch(e => {
  console.error(e)
  process.exit(1)
})
