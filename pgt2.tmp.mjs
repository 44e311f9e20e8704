import CircuitBreaker from 'opossum';
const b = new CircuitBreaker((op) => op(), { timeout: false, resetTimeout: 1000, errorThresholdPercentage: 50, volumeThreshold: 2, rollingCountTimeout: 60000, errorFilter: (e) => e?.name === 'AbortError' });
try { console.log(await b.fire(async () => { throw new Error('x'); })); } catch (e) { console.log('err', e.message); }
