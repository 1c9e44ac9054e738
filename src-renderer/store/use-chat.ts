// React access to the store: useChat(selector) for primitives and stable references,
// useChatShallow(selector) when the selector builds a new array or object.
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { chatStore, type ChatState } from './chat-store.js';

export function useChat<T>(selector: (s: ChatState) => T): T {
  return useStore(chatStore, selector);
}

export function useChatShallow<T>(selector: (s: ChatState) => T): T {
  return useStore(chatStore, useShallow(selector));
}
