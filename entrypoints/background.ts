import { defineBackground } from 'wxt/utils/define-background';
import { registerMessageRouter } from '../src/messaging/register';

export default defineBackground(() => {
  registerMessageRouter();
});
