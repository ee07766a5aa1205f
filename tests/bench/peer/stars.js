// stars.js — the star table of rules/2002/stars.lua written for json-rules-engine 7, the peer
// that `make bench` measures starrate's whole evaluation against.
//
//   node stars.js N      evaluate N judgement combinations (cycling through all 256), print
//                        one line of JSON: {"engine":..., "runs":N, "us_per_run":...,
//                        "answers":"<256 digits>"}
//
// `answers` is the peer's star rating for each of the 256 combinations, in the order
// children serving, children capacity, adults serving, adults capacity (each word index 0-3,
// the last varying fastest). bench.c compares it with starrate's own table: a peer table that
// disagrees is not measuring the same thing, and the comparison is refused.
//
// The table is written once here, as json-rules-engine rules: json-rules-engine runs every
// rule of a run, so the first-match order of the Lua table is its priority (a higher priority
// runs first) and the run stops at the first rule that fires. The engine is built once and
// reused for every run, as an application would; each run is awaited, as the engine's API
// requires.
'use strict';

const path = require('path');
const modules = process.env.PEER_MODULES || path.join(__dirname, 'node_modules');
const { Engine } = require(path.join(modules, 'json-rules-engine'));

const SERVING = ['no', 'some', 'most', 'yes'];
const CAPACITY = ['poor', 'uncertain', 'promising', 'excellent'];

function atLeast(fact, word) {
    return { fact, operator: 'atLeast', value: word };
}
function is(fact, word) {
    return { fact, operator: 'equal', value: word };
}

// The rows of rules/2002/stars.lua, first match first.
const ROWS = [
    { id: 'failure', stars: 0, conditions: { any: [
        is('childrenServing', 'no'), is('childrenCapacity', 'poor'),
        is('adultsServing', 'no'), is('adultsCapacity', 'poor')] } },
    { id: 'excellent-both', stars: 3, conditions: { all: [
        atLeast('childrenServing', 'most'), atLeast('adultsServing', 'most'),
        is('childrenCapacity', 'excellent'), is('adultsCapacity', 'excellent')] } },
    { id: 'all-served', stars: 3, conditions: { all: [
        is('childrenServing', 'yes'), is('adultsServing', 'yes'),
        atLeast('childrenCapacity', 'promising'), atLeast('adultsCapacity', 'promising')] } },
    { id: 'most-served', stars: 2, conditions: { all: [
        { any: [atLeast('childrenServing', 'most'), atLeast('adultsServing', 'most')] },
        atLeast('childrenCapacity', 'promising'), atLeast('adultsCapacity', 'promising')] } },
    { id: 'otherwise', stars: 1, conditions: { all: [
        { fact: 'childrenServing', operator: 'notEqual', value: '' }] } },
];

function buildEngine() {
    const engine = new Engine([], { allowUndefinedFacts: false });
    const rank = (w) => {
        const s = SERVING.indexOf(w);
        return s >= 0 ? s : CAPACITY.indexOf(w);
    };
    engine.addOperator('atLeast', (fact, value) => rank(fact) >= rank(value));
    ROWS.forEach((row, i) => {
        engine.addRule({
            name: row.id,
            priority: ROWS.length - i,
            conditions: row.conditions,
            event: { type: 'stars', params: { stars: row.stars, rule: row.id } },
            onSuccess: (event, almanac) => { almanac.addRuntimeFact('stars', event.params.stars); engine.stop(); },
        });
    });
    return engine;
}

function combination(i) {
    return {
        childrenServing: SERVING[(i >> 6) & 3],
        childrenCapacity: CAPACITY[(i >> 4) & 3],
        adultsServing: SERVING[(i >> 2) & 3],
        adultsCapacity: CAPACITY[i & 3],
    };
}

async function starsOf(engine, facts) {
    const { events } = await engine.run(facts);
    return events.length ? events[0].params.stars : -1;
}

async function main() {
    const n = Number(process.argv[2] || 20000);
    if (!Number.isInteger(n) || n < 1) {
        process.stderr.write('usage: node stars.js N\n');
        process.exit(2);
    }
    const engine = buildEngine();
    let answers = '';
    for (let i = 0; i < 256; i++)
        answers += String(await starsOf(engine, combination(i)));
    for (let i = 0; i < 2000; i++) // warm the JIT before timing
        await starsOf(engine, combination(i & 255));
    const start = process.hrtime.bigint();
    let sum = 0;
    for (let i = 0; i < n; i++)
        sum += await starsOf(engine, combination(i & 255));
    const ns = Number(process.hrtime.bigint() - start);
    const version = require(path.join(modules, 'json-rules-engine', 'package.json')).version;
    process.stdout.write(JSON.stringify({
        engine: 'json-rules-engine ' + version, runs: n, us_per_run: ns / n / 1000,
        checksum: sum, answers }) + '\n');
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
