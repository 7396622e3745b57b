// Smoke test of the fake's gRPC face with the official Node.js SDK (@yandex-cloud/nodejs-sdk).
// Usage: node smoke.js <endpoint> <ca.pem> <folderId>; prints one JSON line of what it saw.
'use strict';
const fs = require('fs');
const { Session, serviceClients, cloudApi, waitForOperation, decodeMessage } = require('@yandex-cloud/nodejs-sdk');

const { CreateImageRequest, GetImageRequest, ListImagesRequest } = cloudApi.compute.image_service;
const { image_StatusToJSON } = cloudApi.compute.image;

async function main() {
  const [endpoint, caPath, folderId] = process.argv.slice(2);
  const session = new Session({ iamToken: 'fake-iam-token', ssl: { rootCerts: fs.readFileSync(caPath) } });
  const images = session.client(serviceClients.ComputeImageServiceClient, endpoint);
  const operation = await images.create(CreateImageRequest.fromPartial({
    folderId, name: 'from-node', family: 'node', uri: 'https://storage.yandexcloud.net/builds/app.qcow2',
  }));
  const done = await waitForOperation(operation, session, 30000, endpoint);
  const created = decodeMessage(done.response);
  const got = await images.get(GetImageRequest.fromPartial({ imageId: created.id }));
  const page = await images.list(ListImagesRequest.fromPartial({ folderId }));
  let missing = null;
  try {
    await images.get(GetImageRequest.fromPartial({ imageId: 'fd8nothere0000000000' }));
  } catch (error) {
    missing = error.code;
  }
  console.log(JSON.stringify({
    operationId: operation.id,
    imageId: created.id,
    status: image_StatusToJSON(got.status),
    names: page.images.map((image) => image.name),
    missingCode: missing,
  }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
