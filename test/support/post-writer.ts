/**
 * Child process of the kill -9 test: a real CommandPost on `argv[2]` fed by a test gateway
 * as fast as it can, printing "stored N" each time the post acknowledges N reports as
 * stored. Runs until killed.
 */
import { CommandPost } from "picket/tools/post/command-post";
import { EventLog } from "picket/tools/post/event-log";
import { TestGateway, alertMessage, createPostFixture } from "picket/test/support/post-fixture";

const fixture = createPostFixture();
const post = new CommandPost({ log: new EventLog(process.argv[2]), identity: fixture.identity(fixture.postId), devices: fixture.devices, heartbeatMs: 0, lostAfterMissed: 3 });
const gateway = new TestGateway(fixture.identity(fixture.gatewayIds[0]), fixture.postId);
let printed = 0;
const feed = post.attach({
	write: (bytes) => {
		gateway.receive(bytes);
		if (gateway.stored > printed) {
			printed = gateway.stored;
			process.stdout.write(`stored ${printed}\n`);
		}
	},
	close: () => {},
});
feed.receive(gateway.hello());
let sequence = 0;
const pump = (): void => {
	for (let i = 0; i < 50; i++) feed.receive(gateway.seal(alertMessage(fixture.sensorId, ++sequence)));
	setImmediate(pump);
};
pump();
