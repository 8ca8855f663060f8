import nock from 'nock';

// Every test process: no traffic leaves the machine; loopback (our servers on port 0) stays allowed.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
